# Shared body of fig4.gp and fig5.gp (needs fig_title, ycol, ref1/ref1_t, ref2/ref2_t,
# ylab, datadir, outfile, fmt). Only files that exist are plotted.
have(f) = int(system("test -s '".f."' && echo 1 || echo 0"))
if (fmt eq 'svg') { set terminal svg size 900,620 dynamic enhanced font 'sans,12' background '#ffffff' } \
else { set terminal pngcairo size 900,620 enhanced font 'sans,11' }
set output outfile
set title fig_title
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xlabel 'N (chained MD5 computations)'
set ylabel ylab
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key top left box opaque
set datafile separator whitespace
set xrange [0.5:2e6]
p = ''
sep = ''
# published data: the 10 raw repetitions as small points, their mean as a line
if (have(ref1)) { p = p.sep.sprintf("'%s' u 1:2 with points pt 6 ps 0.5 lc rgb '#9ecae1' notitle, '%s' u 1:2 smooth unique with lines dt 2 lw 2 lc rgb '#3182bd' title '%s'", ref1, ref1, ref1_t); sep = ', ' }
if (have(ref2)) { p = p.sep.sprintf("'%s' u 1:2 with points pt 4 ps 0.5 lc rgb '#fdae6b' notitle, '%s' u 1:2 smooth unique with lines dt 2 lw 2 lc rgb '#e6550d' title '%s'", ref2, ref2, ref2_t); sep = ', ' }
# ours: mean with min..max error bars
f = datadir.'/sim.dat'
if (have(f)) { p = p.sep.sprintf("'%s' u 1:%d:%d:%d with yerrorlines pt 7 lw 2 lc rgb '#31a354' title 'serverkernel on bcm2835-sim (simulated time)'", f, ycol, ycol+1, ycol+2); sep = ', ' }
f = datadir.'/qemu.dat'
if (have(f)) { p = p.sep.sprintf("'%s' u 1:%d:%d:%d with yerrorlines pt 5 lw 2 lc rgb '#756bb1' title 'serverkernel on QEMU raspi0'", f, ycol, ycol+1, ycol+2); sep = ', ' }
f = datadir.'/linux.dat'
if (have(f)) { p = p.sep.sprintf("'%s' u 1:%d:%d:%d with yerrorlines pt 9 lw 2 lc rgb '#de2d26' title 'Linux baseline on QEMU raspi0'", f, ycol, ycol+1, ycol+2); sep = ', ' }
if (strlen(p) == 0) { set label 1 'no data' at graph 0.5, 0.5 center; set xrange [1:10]; set yrange [1:10]; plot NaN notitle } \
else { set datafile separator ','; eval('plot '.p) }
