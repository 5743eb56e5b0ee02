# Paper figure 4: MD5 CPU time vs N (log-log).
# Ours (from `skbench plot DIR`: DIR/plots/data/{sim,qemu,linux}.dat, comma-separated
#   n cpu_s_mean cpu_s_min cpu_s_max exec_s_mean exec_s_min exec_s_max samples)
# overlaid with the published jonOS and Raspbian clock() points (reference/jonos-data/cpu).
# Variables (gnuplot -e): datadir, refdir, outfile, fmt (png|svg). Works with any subset of
# the data files present, including the published data alone.
if (!exists("fmt")) fmt = 'png'
if (!exists("datadir")) datadir = 'data'
if (!exists("refdir")) refdir = (system("echo ${SK_SHARED_DIR:-../shared}")).'/reference/jonos-data'
if (!exists("outfile")) outfile = 'fig4.'.fmt
fig_title = 'Figure 4: MD5 CPU time vs N'
ycol = 2
ref1 = refdir.'/cpu/jonOS.times';  ref1_t = 'jonOS, published (its MD5 loop was optimised away)'
ref2 = refdir.'/cpu/raspbian.times'; ref2_t = 'Raspbian clock(), published'
ylab = 'CPU time [s]'
load (system("dirname '".ARG0."'")).'/common.gp'
