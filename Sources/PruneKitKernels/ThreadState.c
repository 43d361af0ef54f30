// Per-thread nesting depth of PruneKit's parallel regions (Swift has no thread-local storage of its own).
#include "PruneKitKernels.h"

static _Thread_local int parallel_depth;

void pk_parallel_enter(void) { parallel_depth++; }
void pk_parallel_exit(void) { parallel_depth--; }
int pk_parallel_depth(void) { return parallel_depth; }
