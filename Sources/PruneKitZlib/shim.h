// zlib from Debian's zlib1g-dev: gzip streams for IDX and CIFAR .gz files.
#include <zlib.h>
