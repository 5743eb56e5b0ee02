/* skbench plot: per-target series from DIR/samples.csv, rendered by plots/fig*.gp scripts. */
#ifndef SK_PLOT_H
#define SK_PLOT_H
#include <stdbool.h>

/* Writes DIR/plots/data/<target>.dat and renders fig4/fig5/fig6 as PNG and SVG into
 * DIR/plots/. scripts_dir holds fig*.gp, ref_dir the published jonos-data. 0 or -1. */
int plot_dir(const char *dir, const char *scripts_dir, const char *ref_dir, bool quiet);

#endif
