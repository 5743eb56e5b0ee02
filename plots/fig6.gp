# Paper figure 6: UDP echo, total time for N echo requests vs N (log-log).
# Published: jonOS and Raspbian via a router and point-to-point (reference/jonos-data/network).
# Ours (when the network scenarios exist): datadir/udp-{sim,qemu,linux}.dat with columns
#   n,time_s_mean,time_s_min,time_s_max (comma-separated). Works with the published data alone.
# Variables: datadir, refdir, outfile, fmt.
if (!exists("fmt")) fmt = 'png'
if (!exists("datadir")) datadir = 'data'
if (!exists("refdir")) refdir = (system("echo ${SK_SHARED_DIR:-../shared}")).'/reference/jonos-data'
if (!exists("outfile")) outfile = 'fig6.'.fmt
have(f) = int(system("test -s '".f."' && echo 1 || echo 0"))
if (fmt eq 'svg') { set terminal svg size 900,620 dynamic enhanced font 'sans,12' background '#ffffff' } \
else { set terminal pngcairo size 900,620 enhanced font 'sans,11' }
set output outfile
set title 'Figure 6: UDP echo (5-byte messages), time for N requests'
set logscale xy
set format x '10^{%L}'
set format y '10^{%L}'
set xlabel 'N (echo requests)'
set ylabel 'time [s]'
set grid xtics ytics mxtics mytics lc rgb '#dddddd'
set key top left box opaque
set xrange [0.5:2e5]
p = ''
sep = ''
names = 'jonOS jonOS_peer2peer raspbian raspbian_peer2peer'
titles = "'jonOS via router, published' 'jonOS point-to-point, published' 'Raspbian via router, published' 'Raspbian point-to-point, published'"
colors = '#3182bd #6baed6 #e6550d #fd8d3c'
do for [i = 1:4] {
  f = refdir.'/network/'.word(names, i).'.times'
  if (have(f)) { p = p.sep.sprintf("'%s' u 1:2 with points pt 6 ps 0.5 lc rgb '%s' notitle, '%s' u 1:2 smooth unique with lines dt 2 lw 2 lc rgb '%s' title '%s'", f, word(colors, i), f, word(colors, i), word(titles, i)); sep = ', ' }
}
tg = 'sim qemu linux'
tt = "'serverkernel on bcm2835-sim' 'serverkernel on QEMU raspi0' 'Linux baseline on QEMU raspi0'"
tc = '#31a354 #756bb1 #de2d26'
do for [i = 1:3] {
  f = datadir.'/udp-'.word(tg, i).'.dat'
  if (have(f)) { p = p.sep.sprintf("'%s' u 1:2:3:4 with yerrorlines pt 7 lw 2 lc rgb '%s' title '%s'", f, word(tc, i), word(tt, i)); sep = ', ' }
}
if (strlen(p) == 0) { set label 1 'no data' at graph 0.5, 0.5 center; set xrange [1:10]; set yrange [1:10]; plot NaN notitle } \
else { set datafile separator ','; eval('plot '.p) }
