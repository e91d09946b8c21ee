// jemalloc's settings for every binary of the suite (CMakeLists.txt links this object into
// each). jemalloc reads this symbol at start; MALLOC_CONF in the environment still
// overrides it for one run.
//   background_thread   a jemalloc thread gives freed pages back to the kernel, also while
//                       the process is idle (without it, only allocation activity does);
//   dirty_decay_ms 1000 freed pages are returned within about a second (default 10 s),
//   muzzy_decay_ms 0    and not kept lazily;
//   narenas 2           two arenas, not four per core: a pod has at most two cores
//                       (k8s/), and every arena keeps pages of its own.
// Measured on the passage log (docs/performance.md, "Memory"): resident memory at 256
// calls in flight 160 -> 66 MiB, at twice the peak offered 360 -> 177 MiB, back to
// ~40 MiB idle afterwards instead of staying at the peak; throughput unchanged.
extern "C" {
// NOLINTNEXTLINE: the name and type jemalloc looks up.
const char* malloc_conf = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:2";
}
