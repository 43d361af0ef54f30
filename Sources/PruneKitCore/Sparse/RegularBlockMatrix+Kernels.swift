// Legend: R rows, N columns, J batch (columns of X and Y), b_r block size of row r, o_r = ceil(log2 b_r) offset bits,
// B_r = ceil(N / b_r) blocks of row r. X is [N, J] row-major (im2col's [C k k, pixels] layout), Y is [R, J].
//
// Both kernels read the packed offsets directly: offset k of row r sits at bit p = rowBitStart[r] + k o_r and is read
// with one unaligned 64-bit load at byte p / 8, shifted by p % 8 and masked to o_r bits (o_r <= 16, so 7 + 16 bits fit;
// the 8 padding bytes keep the load inside the buffer). No allocation, no bounds or exclusivity checks in the loops:
// the arrays are `let` properties of a struct and are taken once as buffer pointers. On CPUs with AVX-512 the public
// entry points call RegularBlock.c (the same scalar offset reads, 64 outputs per row in zmm registers for batches);
// these Swift loops are the fallback and the reference.
import PruneKitKernels

extension RegularBlockMatrix {
    /// Writes the dense row-major [R, N] matrix (kept values, zeros elsewhere) to `destination`.
    public func decode(into destination: UnsafeMutablePointer<Float>) {
        guard ConvolutionKernels.cpuSupportsDirect else { return decodePortable(into: destination) }
        withKernelPointers { p in
            pk_regular_block_decode(p.values, p.offsets.assumingMemoryBound(to: UInt8.self), p.valueStarts, p.bitStarts, p.blockSizes, p.rows, p.columns,
                                    destination)
        }
    }

    /// Y = W X for the [R, N] matrix W, X [N, batch] and Y [R, batch] (both row-major; Y is overwritten). Batch 1 is a
    /// gather-dot per row; larger batches accumulate v * X[column, :] over the row's blocks (64 outputs in registers).
    public func multiply(_ x: UnsafePointer<Float>, batch: Int, into y: UnsafeMutablePointer<Float>) {
        multiply(x, batch: batch, into: y, allowingByteShuffles: true)
    }

    /// `multiply`; without `allowingByteShuffles` batch 1 takes the AVX-512F kernel even on VBMI CPUs (tests cover both).
    func multiply(_ x: UnsafePointer<Float>, batch: Int, into y: UnsafeMutablePointer<Float>, allowingByteShuffles: Bool) {
        guard ConvolutionKernels.cpuSupportsDirect else { return multiplyPortable(x, batch: batch, into: y) }
        withKernelPointers { p in
            let offsets = p.offsets.assumingMemoryBound(to: UInt8.self)
            if batch == 1 && allowingByteShuffles && Self.hasByteShuffles {
                pk_regular_block_multiply_vector_vbmi(p.values, offsets, offsetBytes, p.valueStarts, p.bitStarts, p.blockSizes, p.rows, x, y)
            } else if batch == 1 {
                pk_regular_block_multiply_vector(p.values, offsets, p.valueStarts, p.bitStarts, p.blockSizes, p.rows, x, y)
            } else {
                pk_regular_block_multiply_batch(p.values, offsets, p.valueStarts, p.bitStarts, p.blockSizes, p.rows, x, batch, y)
            }
        }
    }

    /// Whether the CPU has AVX-512 VBMI (byte permutes) for the batch-1 kernel that decodes 16 offsets per step.
    static let hasByteShuffles = pk_cpu_has_avx512_vbmi() != 0

    /// `decode` in portable Swift.
    func decodePortable(into destination: UnsafeMutablePointer<Float>) {
        destination.update(repeating: 0, count: rows * columns)
        withKernelPointers { p in
            for row in 0..<p.rows {
                let size = p.blockSizes[row], mask = Self.offsetMask(blockSize: size), bits = Self.offsetBits(blockSize: size)
                var position = p.bitStarts[row], base = 0
                let out = destination + row * p.columns
                for value in p.values + p.valueStarts[row]..<p.values + p.valueStarts[row + 1] {
                    out[base + Self.readOffset(p.offsets, position, mask)] = value.pointee
                    position += bits
                    base += size
                }
            }
        }
    }

    /// `multiply` in portable Swift: batch 1 is a gather-dot per row; larger batches add v * X[column, :] into Y[row, :].
    func multiplyPortable(_ x: UnsafePointer<Float>, batch: Int, into y: UnsafeMutablePointer<Float>) {
        withKernelPointers { p in
            if batch == 1 { Self.multiplyVector(p, x, y) } else { Self.multiplyBatch(p, x, batch, y) }
        }
    }

    /// The arrays as raw pointers for one kernel call.
    struct KernelPointers {
        let rows: Int, columns: Int
        let blockSizes: UnsafePointer<Int>, valueStarts: UnsafePointer<Int>, bitStarts: UnsafePointer<Int>
        let values: UnsafePointer<Float>, offsets: UnsafeRawPointer
    }

    private func withKernelPointers(_ body: (KernelPointers) -> Void) {
        blockSizes.withUnsafeBufferPointer { sizes in
            rowValueStarts.withUnsafeBufferPointer { valueStarts in
                rowBitStarts.withUnsafeBufferPointer { bitStarts in
                    values.withUnsafeBufferPointer { values in
                        packedOffsets.withUnsafeBytes { offsets in
                            // An empty `values` may have a nil base address; nothing is read from it then.
                            let valuePointer = values.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!
                            body(KernelPointers(rows: rows, columns: columns, blockSizes: sizes.baseAddress!, valueStarts: valueStarts.baseAddress!,
                                                bitStarts: bitStarts.baseAddress!, values: valuePointer, offsets: offsets.baseAddress!))
                        }
                    }
                }
            }
        }
    }

    /// 2^o - 1 for a block of `blockSize` (0 for b = 1).
    @inline(__always)
    static func offsetMask(blockSize: Int) -> UInt64 { (UInt64(1) << UInt64(offsetBits(blockSize: blockSize))) - 1 }

    /// The o-bit offset starting at bit `position` of `offsets`.
    @inline(__always)
    static func readOffset(_ offsets: UnsafeRawPointer, _ position: Int, _ mask: UInt64) -> Int {
        Int(truncatingIfNeeded: (offsets.loadUnaligned(fromByteOffset: position >> 3, as: UInt64.self) >> UInt64(position & 7)) & mask)
    }

    /// y[r] = sum_k v_k x[k b_r + offset_k], two blocks per step into two sums (shorter dependency chains).
    private static func multiplyVector(_ p: KernelPointers, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        for row in 0..<p.rows {
            let size = p.blockSizes[row], mask = offsetMask(blockSize: size), bits = offsetBits(blockSize: size)
            let values = p.values + p.valueStarts[row], count = p.valueStarts[row + 1] - p.valueStarts[row]
            var position = p.bitStarts[row], base = 0, block = 0
            var first: Float = 0, second: Float = 0
            while block + 1 < count {
                let a = readOffset(p.offsets, position, mask), b = readOffset(p.offsets, position + bits, mask)
                first += values[block] * x[base + a]
                second += values[block + 1] * x[base + size + b]
                position += 2 * bits; base += 2 * size; block += 2
            }
            if block < count { first += values[block] * x[base + readOffset(p.offsets, position, mask)] }
            y[row] = first + second
        }
    }

    /// Y[r, :] = sum_k v_k X[k b_r + offset_k, :].
    private static func multiplyBatch(_ p: KernelPointers, _ x: UnsafePointer<Float>, _ batch: Int, _ y: UnsafeMutablePointer<Float>) {
        for row in 0..<p.rows {
            let size = p.blockSizes[row], mask = offsetMask(blockSize: size), bits = offsetBits(blockSize: size)
            let values = p.values + p.valueStarts[row], count = p.valueStarts[row + 1] - p.valueStarts[row]
            let out = y + row * batch
            out.update(repeating: 0, count: batch)
            var position = p.bitStarts[row], base = 0, block = 0
            while block + 1 < count {
                let a = x + (base + readOffset(p.offsets, position, mask)) * batch
                let b = x + (base + size + readOffset(p.offsets, position + bits, mask)) * batch
                let va = values[block], vb = values[block + 1]
                for j in 0..<batch { out[j] += va * a[j] + vb * b[j] }
                position += 2 * bits; base += 2 * size; block += 2
            }
            if block < count {
                let a = x + (base + readOffset(p.offsets, position, mask)) * batch, va = values[block]
                for j in 0..<batch { out[j] += va * a[j] }
            }
        }
    }
}
