/* Mount option strings (rootflags=, rootrwoptions=): mountopts_parse, appending a second
 * string, then mountopts_drop. Input: options \0 more options \0 drop-name \0 drop-name ...;
 * without drop names the tmpfs-only list overlayroot uses is dropped. The composition
 * (order, overflow, what is dropped) is checked against a plain reading of the items; whether
 * one word is a flag is asked of mountopts_parse itself. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mount.h>
#include "fuzz.h"
#include "overroot/mountopts.h"

#define DATA_MAX sizeof(((struct mountopts *)0)->data)
#define MAX_ITEMS 4200

static const unsigned long known_flags = MS_RDONLY | MS_NOEXEC | MS_NOSUID | MS_NODEV |
	MS_SYNCHRONOUS | MS_DIRSYNC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME |
	MS_LAZYTIME | MS_MANDLOCK | MS_SILENT;

static const char *const tmpfs_only[] = { "mode", "size", "nr_inodes", "nr_blocks", "uid",
					  "gid", "huge", "mpol", NULL };

struct items {
	const char *s[MAX_ITEMS];
	size_t n[MAX_ITEMS];
	size_t count;
};

/* The non-empty comma-separated items of s. */
static void split_items(const char *s, struct items *ret)
{
	ret->count = 0;
	while (*s && ret->count < MAX_ITEMS) {
		size_t n = strcspn(s, ",");

		if (n) {
			ret->s[ret->count] = s;
			ret->n[ret->count++] = n;
		}
		s += n;
		if (*s == ',')
			s++;
	}
}

static bool is_flag_word(const char *s, size_t n)
{
	struct mountopts m;
	char word[DATA_MAX + 1];

	if (n >= sizeof(word))
		return false;
	memcpy(word, s, n);
	word[n] = '\0';
	memset(&m, 0, sizeof(m));
	return mountopts_parse(word, &m) == 0 && m.data[0] == '\0';
}

static bool item_eq(const struct items *a, size_t i, const struct items *b, size_t j)
{
	return a->n[i] == b->n[j] && !memcmp(a->s[i], b->s[j], a->n[i]);
}

static void check_data_shape(const struct mountopts *m)
{
	size_t len = strnlen(m->data, DATA_MAX);

	FUZZ_CHECK(len < DATA_MAX);
	if (len) {
		FUZZ_CHECK(m->data[0] != ',' && m->data[len - 1] != ',');
		FUZZ_CHECK(!strstr(m->data, ",,"));
	}
}

/* data holds the first k data items of s, in order; all of them unless -E2BIG, and then
 * item k really did not fit. */
static void check_parse(const char *s, const struct mountopts *m, int r)
{
	static struct items in, out;
	size_t k = 0, len = 0;

	FUZZ_CHECK(r == 0 || r == -E2BIG);
	check_data_shape(m);
	FUZZ_CHECK((m->flags & ~known_flags) == 0);
	split_items(s, &in);
	split_items(m->data, &out);
	if (in.count == MAX_ITEMS)
		return;
	for (size_t i = 0; i < in.count; i++) {
		if (is_flag_word(in.s[i], in.n[i]))
			continue;
		if (k == out.count) {	/* the first data item left out */
			FUZZ_CHECK(r == -E2BIG);
			FUZZ_CHECK(len + (len ? 1 : 0) + in.n[i] >= DATA_MAX);
			return;
		}
		FUZZ_CHECK(item_eq(&in, i, &out, k));
		len += (len ? 1 : 0) + in.n[i];
		k++;
	}
	FUZZ_CHECK(k == out.count && r == 0);
}

static bool dropped(const char *const *drop, const char *s, size_t n)
{
	size_t name = strcspn(s, "=,");

	if (name > n)
		name = n;
	for (; *drop; drop++)
		if (strlen(*drop) == name && !memcmp(*drop, s, name))
			return true;
	return false;
}

/* after = before without the dropped items, in order; removed = a subsequence of them, all
 * of them when they fit. */
static void check_drop(const struct mountopts *before, const struct mountopts *after,
		       const char *const *drop, const char *removed, size_t size)
{
	static struct items b, a, rm;
	size_t j = 0, r = 0, want_len = 0;
	bool all = true;

	check_data_shape(after);
	FUZZ_CHECK(after->flags == before->flags);
	split_items(before->data, &b);
	split_items(after->data, &a);
	if (removed) {
		FUZZ_CHECK(size == 0 || strnlen(removed, size) < size);
		split_items(size ? removed : "", &rm);
	}
	for (size_t i = 0; i < b.count; i++) {
		if (!dropped(drop, b.s[i], b.n[i])) {
			FUZZ_CHECK(j < a.count && item_eq(&b, i, &a, j));
			j++;
			continue;
		}
		want_len += (want_len ? 1 : 0) + b.n[i];
		if (!removed)
			continue;
		if (r < rm.count && item_eq(&b, i, &rm, r))
			r++;
		else
			all = false;
	}
	FUZZ_CHECK(j == a.count);
	if (removed && size) {
		FUZZ_CHECK(r == rm.count);
		if (want_len < size)
			FUZZ_CHECK(all);
	}
}

static void test_drop(const struct mountopts *m, const char *const *drop, size_t size)
{
	struct mountopts a = *m, again;
	char removed[200];

	memset(removed, 'X', sizeof(removed));
	mountopts_drop(&a, drop, removed, size);
	check_drop(m, &a, drop, removed, size);
	again = a;
	mountopts_drop(&again, drop, removed, size);
	FUZZ_CHECK(!strcmp(again.data, a.data));	/* nothing left to drop */
	FUZZ_CHECK(size == 0 || removed[0] == '\0');
	a = *m;
	mountopts_drop(&a, drop, NULL, 0);
	check_drop(m, &a, drop, NULL, 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_log_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_parts in;
	struct mountopts m, m2, first;
	const char *drop[FUZZ_MAX_PARTS];
	int r;

	fuzz_split(data, size, '\0', &in);
	memset(&m, 0, sizeof(m));
	r = mountopts_parse(in.part[0], &m);
	check_parse(in.part[0], &m, r);

	/* flags already there: bits it does not know are kept */
	memset(&m2, 0, sizeof(m2));
	m2.flags = ~known_flags;
	FUZZ_CHECK(mountopts_parse(in.part[0], &m2) == r);
	FUZZ_CHECK((m2.flags & ~known_flags) == ~known_flags);
	FUZZ_CHECK(!strcmp(m2.data, m.data));

	/* appending keeps what was there */
	first = m;
	r = mountopts_parse(in.part[1], &m);
	FUZZ_CHECK(r == 0 || r == -E2BIG);
	check_data_shape(&m);
	FUZZ_CHECK(!strncmp(m.data, first.data, strlen(first.data)));
	FUZZ_CHECK(!first.data[0] || !m.data[strlen(first.data)] ||
		   m.data[strlen(first.data)] == ',');

	size_t n = 0;
	for (size_t k = 2; k < in.n && k < FUZZ_MAX_PARTS; k++)
		drop[n++] = in.part[k];
	drop[n] = NULL;
	const char *const *list = n ? drop : tmpfs_only;
	test_drop(&m, list, size % 200);
	test_drop(&m, list, 200);
	fuzz_parts_free(&in);
	return 0;
}
