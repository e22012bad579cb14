/*
 * report.c: the table of output formats.  A format is a file
 * (report-NAME.c) and a row here; nothing else knows the list.
 */
#include "config.h"

#include <string.h>

#include "steptrail.h"

static const struct st_format formats[] = {
	{ "text", "findings with their process ancestry, for people",
	    st_report_text },
	{ "json", "one JSON document: findings and input statistics "
	    "(docs/json.md)", st_report_json },
};

const struct st_format *
st_format_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof formats / sizeof formats[0]; i++)
		if (strcmp(formats[i].name, name) == 0)
			return &formats[i];
	return NULL;
}

const struct st_format *
st_formats(size_t *n)
{
	*n = sizeof formats / sizeof formats[0];
	return formats;
}
