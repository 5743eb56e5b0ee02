/* skbench compare: two results.json files, per benchmark and metric, with a threshold. */
#ifndef SK_COMPARE_H
#define SK_COMPARE_H
#include <stdio.h>

/* Returns 0 = no regression, 1 = regression (or a benchmark missing / NEW incomplete),
 * 2 = cannot read or parse a file (message on out). Prints the table on out. */
int cmp_files(const char *old_path, const char *new_path, double threshold_pct, FILE *out);
/* Same on JSON text (for tests). */
int cmp_json(const char *old_json, const char *new_json, double threshold_pct, FILE *out);

#endif
