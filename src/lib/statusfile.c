/* Reading /run/overroot/status back (include/overroot/statusfile.h). */
#include <string.h>
#include "overroot/statusfile.h"

int status_file_load(const struct sys_ops *sys, struct status_file *st)
{
	ssize_t n = sys->read_file(STATUS_FILE, st->text, sizeof(st->text));

	st->n = 0;
	if (n < 0)
		return (int)n;
	for (char *line = st->text; *line && st->n < STATUS_FILE_MAX;) {
		char *nl = strchr(line, '\n'), *eq = strchr(line, '=');
		if (nl)
			*nl = '\0';
		if (eq && (!nl || eq < nl)) {
			*eq = '\0';
			st->key[st->n] = line;
			st->val[st->n++] = eq + 1;
		}
		if (!nl)
			break;
		line = nl + 1;
	}
	return 0;
}

const char *status_file_get(const struct status_file *st, const char *key)
{
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->key[i], key))
			return st->val[i];
	return "";
}
