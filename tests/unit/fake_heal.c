/* The fake's boot counting ops (fake_sys.h): the reserve file and the wall clock. */
#include <errno.h>
#include <stdio.h>
#include "fake_sys.h"

int fake_fallocate(const char *path, uint64_t len)
{
	char text[32];

	fake_record("fallocate %s %llu", path, (unsigned long long)len);
	int r = fake_hit("fallocate", path);
	if (r || (r = fake_writable(path)))
		return r;
	snprintf(text, sizeof(text), "reserve %llu", (unsigned long long)len);
	fake_file(path, text, 0600);
	return 0;
}

uint64_t fake_wall_s(void)
{
	return FAKE_WALL_S;
}
