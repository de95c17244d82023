// microovn-bench-nofsync: an LD_PRELOAD shim for one measurement only, the ceiling of the 3-member
// comparison (bench/compare_etcd.sh with NOFSYNC=1): fdatasync and fsync return at once without
// syncing, so a run shows what the members would do if a synced write cost nothing, and where
// the CPU and the hand-offs between threads and processes set the limit. A member run with it
// loses acknowledged writes on a power cut: never use it for anything but that measurement.
extern "C" {
int fdatasync(int) { return 0; }
int fsync(int) { return 0; }
}
