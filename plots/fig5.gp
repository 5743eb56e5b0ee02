# Paper figure 5: MD5 execution time vs N (log-log). Ours: execution time (sim: simulated
# time; qemu/linux: host timestamps of the md5-start/md5-end serial markers). Published:
# jonOS and Raspbian measured with serial markers (reference/jonos-data/cpu/*UART*).
# Variables: datadir, refdir, outfile, fmt. See fig4.gp.
if (!exists("fmt")) fmt = 'png'
if (!exists("datadir")) datadir = 'data'
if (!exists("refdir")) refdir = (system("echo ${SK_SHARED_DIR:-../shared}")).'/reference/jonos-data'
if (!exists("outfile")) outfile = 'fig5.'.fmt
fig_title = 'Figure 5: MD5 execution time vs N'
ycol = 5
ref1 = refdir.'/cpu/jonOS.times';  ref1_t = 'jonOS, published (its MD5 loop was optimised away)'
ref2 = refdir.'/cpu/raspbianUART.times'; ref2_t = 'Raspbian serial markers, published'
ylab = 'execution time [s]'
load (system("dirname '".ARG0."'")).'/common.gp'
