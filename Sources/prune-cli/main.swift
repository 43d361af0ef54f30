import PruneKit
print(BLAS.coreName)
