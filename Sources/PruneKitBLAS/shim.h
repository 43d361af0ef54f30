// CBLAS from Debian's libopenblas-dev, plus the one LAPACK routine PruneKit calls (Fortran ABI).
#include <cblas.h>
void ssyevd_(const char *jobz, const char *uplo, const int *n, float *a, const int *lda, float *w,
             float *work, const int *lwork, int *iwork, const int *liwork, int *info);
