import Foundation

/// One convolution shape to benchmark: batch, channels, image size, kernel, stride, padding.
public struct ConvolutionShape: Codable {
    /// Name in reports, e.g. "resnet20 16-32 s2 32x32" (`scaled(by:)` adds "x<factor>").
    public var label: String
    /// Images per batch N, input channels C, output channels OC, square input side H = W, square kernel side K,
    /// stride S and zero padding P (elements per side).
    public var batch, inputChannels, outputChannels, size, kernelSize, stride, padding: Int

    /// A shape named `label`; defaults are a 3x3 kernel, stride 1 and padding 1 (same-size output).
    ///
    /// ```swift
    /// let shape = ConvolutionShape("16-16 32x32", batch: 128, inputChannels: 16, outputChannels: 16, size: 32)
    /// let result = try ConvolutionBenchmark.run(shape)
    /// ```
    public init(_ label: String, batch: Int, inputChannels: Int, outputChannels: Int, size: Int,
                kernelSize: Int = 3, stride: Int = 1, padding: Int = 1) {
        (self.label, self.batch, self.inputChannels, self.outputChannels, self.size) = (label, batch, inputChannels, outputChannels, size)
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride, padding)
    }

    var geometry: WindowGeometry {
        WindowGeometry(channels: inputChannels, height: size, width: size, kernelHeight: kernelSize, kernelWidth: kernelSize,
                       stride: stride, padding: padding)
    }

    /// Forward FLOPs, a multiply-add counted as 2: 2 * N * OC * C*KH*KW * OH*OW.
    public var forwardFlops: Double { 2 * Double(batch * outputChannels * geometry.patchSize * geometry.outputArea) }

    /// The shape with every width but the 3-channel image input scaled by `factor` and rounded (at least 1),
    /// as uniform channel pruning would leave it: 0.707 keeps about half the FLOPs. The label gains "x<factor>".
    public func scaled(by factor: Double) -> ConvolutionShape {
        guard factor != 1 else { return self }
        func width(_ w: Int) -> Int { max(1, Int((Double(w) * factor).rounded())) }
        var shape = self
        shape.inputChannels = inputChannels == 3 ? 3 : width(inputChannels)
        shape.outputChannels = width(outputChannels)
        let prefix = label.split(separator: " ").first.map(String.init) ?? label
        let detail = stride > 1 ? " s\(stride)" : ""
        shape.label = "\(prefix)x\(factor) \(shape.inputChannels)-\(shape.outputChannels)\(detail) \(size)x\(size)"
        return shape
    }

    /// The distinct conv shapes of ResNet-20 (CIFAR) at a batch size.
    public static func resnet20(batch: Int) -> [ConvolutionShape] {
        [ConvolutionShape("resnet20 conv1 3-16 32x32", batch: batch, inputChannels: 3, outputChannels: 16, size: 32),
         ConvolutionShape("resnet20 16-16 32x32", batch: batch, inputChannels: 16, outputChannels: 16, size: 32),
         ConvolutionShape("resnet20 16-32 s2 32x32", batch: batch, inputChannels: 16, outputChannels: 32, size: 32, stride: 2),
         ConvolutionShape("resnet20 32-32 16x16", batch: batch, inputChannels: 32, outputChannels: 32, size: 16),
         ConvolutionShape("resnet20 32-64 s2 16x16", batch: batch, inputChannels: 32, outputChannels: 64, size: 16, stride: 2),
         ConvolutionShape("resnet20 64-64 8x8", batch: batch, inputChannels: 64, outputChannels: 64, size: 8)]
    }

    /// The distinct conv shapes of VGG-16-BN (CIFAR) at a batch size.
    public static func vgg16(batch: Int) -> [ConvolutionShape] {
        [(3, 64, 32), (64, 64, 32), (64, 128, 16), (128, 128, 16), (128, 256, 8), (256, 256, 8), (256, 512, 4),
         (512, 512, 4), (512, 512, 2)].map { c, o, s in
            ConvolutionShape("vgg16 \(c)-\(o) \(s)x\(s)", batch: batch, inputChannels: c, outputChannels: o, size: s)
        }
    }
}

/// Measured speeds of one convolution shape.
public struct ConvolutionBenchmarkResult: Codable {
    /// The shape that was measured.
    public var shape: ConvolutionShape
    /// Median milliseconds of conv2d forward, of backward (input and weight gradients), and of the same
    /// sgemm calls alone (forward + both backward products, same per-image split and threads).
    public var forwardMilliseconds, backwardMilliseconds, sgemmOnlyMilliseconds: Double
    /// GFLOP/s of conv forward, conv backward, and of the sgemm-only loop.
    public var forwardGflops, backwardGflops, sgemmOnlyGflops: Double
    /// (forward + backward FLOPs) / (forward + backward time), as a fraction of the sgemm-only GFLOP/s.
    public var fractionOfSgemm: Double
    /// Share of profiled conv time in each kernel category (sgemm, im2col, col2im, other).
    public var timeShares: [String: Double]
}

/// `prune-cli bench ops`: conv2d forward/backward GFLOP/s against sgemm alone on the same GEMM shapes.
public enum ConvolutionBenchmark {
    /// Median of `repetitions` timed runs after one warm-up, in milliseconds.
    static func medianMilliseconds(repetitions: Int, _ body: () throws -> Void) rethrows -> Double {
        try body()
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = Profiler.now()
            try body()
            times.append((Profiler.now() - start) * 1000)
        }
        return times.sorted()[times.count / 2]
    }

    /// Benchmarks one shape.
    public static func run(_ shape: ConvolutionShape, repetitions: Int = 5) throws -> ConvolutionBenchmarkResult {
        var generator = SplitMix64(seed: 1)
        let input = Variable(Tensor.normal(shape: [shape.batch, shape.inputChannels, shape.size, shape.size], generator: &generator),
                             requiresGradient: true)
        let weight = Variable(parameter: Tensor.normal(shape: [shape.outputChannels, shape.inputChannels, shape.kernelSize, shape.kernelSize],
                                                       generator: &generator), name: "weight")
        var output: Variable?
        let forward = try medianMilliseconds(repetitions: repetitions) {
            output = try conv2d(input, weight: weight, bias: nil, stride: shape.stride, padding: shape.padding)
        }
        let seed = Tensor(repeating: 1, shape: output!.shape)
        let backward = medianMilliseconds(repetitions: repetitions) {
            input.zeroGradient(); weight.zeroGradient()
            conv2dBackward(seed, input: input, weight: weight, bias: nil, geometry: shape.geometry)
        }
        let shares = try profileShares(shape, input, weight, seed)
        let sgemm = sgemmOnly(shape, repetitions: repetitions)
        let flops = shape.forwardFlops
        return ConvolutionBenchmarkResult(
            shape: shape, forwardMilliseconds: forward, backwardMilliseconds: backward, sgemmOnlyMilliseconds: sgemm,
            forwardGflops: flops / forward / 1e6, backwardGflops: 2 * flops / backward / 1e6, sgemmOnlyGflops: 3 * flops / sgemm / 1e6,
            fractionOfSgemm: (3 * flops / (forward + backward)) / (3 * flops / sgemm), timeShares: shares)
    }

    private static func profileShares(_ shape: ConvolutionShape, _ input: Variable, _ weight: Variable, _ seed: Tensor) throws -> [String: Double] {
        Profiler.isEnabled = true
        _ = Profiler.snapshot(reset: true)
        let start = Profiler.now()
        _ = try conv2d(input, weight: weight, bias: nil, stride: shape.stride, padding: shape.padding)
        conv2dBackward(seed, input: input, weight: weight, bias: nil, geometry: shape.geometry)
        let wall = (Profiler.now() - start) * Double(Parallel.threadCount)  // thread-seconds available
        Profiler.isEnabled = false
        var shares = Profiler.snapshot(reset: true).mapValues { $0 / wall }
        shares["other"] = max(0, 1 - shares.values.reduce(0, +))
        return shares
    }

    /// The conv's three GEMMs per image (forward, dW, dcols), split over threads as conv2d does.
    private static func sgemmOnly(_ shape: ConvolutionShape, repetitions: Int) -> Double {
        let g = shape.geometry
        let (OC, K, OHW) = (shape.outputChannels, g.patchSize, g.outputArea)
        var generator = SplitMix64(seed: 2)
        let w = Tensor.normal(shape: [OC, K], generator: &generator)
        let threads = Parallel.threadCount
        let cols = (0..<threads).map { _ in Tensor.normal(shape: [K, OHW], generator: &generator) }
        let outs = (0..<threads).map { _ in Tensor(zeros: [OC, OHW]) }
        let dws = (0..<threads).map { _ in Tensor(zeros: [OC, K]) }
        return medianMilliseconds(repetitions: repetitions) {
            Parallel.forEachChunk(count: shape.batch) { chunk, images in
                let (c, y, dw) = (cols[chunk].storage.pointer, outs[chunk].storage.pointer, dws[chunk].storage.pointer)
                for _ in images {
                    BLAS.sgemm(transposeA: false, transposeB: false, m: OC, n: OHW, k: K, alpha: 1, a: w.storage.pointer, lda: K,
                               b: c, ldb: OHW, beta: 0, c: y, ldc: OHW)
                    BLAS.sgemm(transposeA: false, transposeB: true, m: OC, n: K, k: OHW, alpha: 1, a: y, lda: OHW,
                               b: c, ldb: OHW, beta: 1, c: dw, ldc: K)
                    BLAS.sgemm(transposeA: true, transposeB: false, m: K, n: OHW, k: OC, alpha: 1, a: w.storage.pointer, lda: K,
                               b: y, ldb: OHW, beta: 0, c: c, ldc: OHW)
                }
            }
        }
    }
}
