// Legend: S stride, H x W input, OH x OW output, KH x KW kernel, P padding, R x Q kernel plane (rows x pitch).

/// conv2d as taps over planes: the form the direct kernels take (PruneKitKernels.h).
///
/// Stride 1: output (oh, ow) of weight tap (kh, kw) reads x[oh + kh - P, ow + kw - P], so with output rows
/// stored at the input's row pitch W (R = OH rows, Q = W, of which OW are real) every tap is one shifted
/// plane, offset (kh - P) W + (kw - P). "Same" convolutions (OH = H) need nothing else; padded convolutions with
/// a smaller output compute OW of every W columns; unpadded ones (LeNet) use column phases instead (below). The adjoint (dX, H rows of pitch W) reads dY stored at pitch W with the
/// shifts negated.
/// Stride S > 1: each image splits into S*S phase planes of R x Q = (H/S) x (W/S) pixels, phase a*S + b holding
/// x[S*r + a, S*q + b]; tap (kh, kw) reads phase (a, b) shifted by (dh, dw), where kh - P = S*dh + a. dX's phase
/// planes come from the taps that read them, shifts negated. Needs S | H, S | W and an output of (H/S) x (W/S).
///
/// ```swift
/// let plan = ConvolutionTapPlan(geometry)   // 3x3, stride 2, padding 1 on 32x32: 9 taps over 4 phases of 16x16
/// ```
struct ConvolutionTapPlan {
    struct Tap {
        /// Index kh*KW + kw of the weight this tap multiplies.
        let weightTap: Int32
        /// Phase plane a*S + b it reads (forward) or writes (adjoint).
        let phase: Int
        /// Shift (dh, dw) of the plane it reads.
        let rowShift, columnShift: Int32
    }

    /// Output planes of `rows` rows at pitch `pitch` (`validColumns` real), reading planes of
    /// `sourceRows` x `sourceColumns` stored at the same pitch: what `pk_tap_masks` needs.
    struct MaskGeometry {
        let rows, pitch, validColumns, sourceRows, sourceColumns: Int
    }

    /// The kept im2col columns of a column-sparse convolution as the kernels read them (`pk_conv_forward_columns`,
    /// `pk_conv_weight_gradient_columns`).
    struct ColumnLists {
        /// Forward tap t keeps input channels channels[starts[t]..<starts[t + 1]] (at least one).
        let starts, channels: [Int32]
        /// The input channels each weight tap (kh*KW + kw) keeps: the dX rows its adjoint writes.
        let channelsByWeightTap: [[Int32]]
        /// Weight-gradient segments: tap segmentTaps[s] for channels segmentChannels[segmentStarts[s]..<segmentStarts[s + 1]],
        /// 1 to 5 channels of one channel block, blocks outside and taps inside (the dense kernel's order: a block's rows
        /// stay in cache across its taps).
        let segmentTaps, segmentStarts, segmentChannels: [Int32]
    }

    let geometry: WindowGeometry
    /// Kept columns (nil: dense). Forward taps then hold only taps that keep some channel.
    let columns: ColumnLists?
    /// Taps of the forward conv (and of the weight gradient).
    let forwardTaps: [Tap]
    /// Per phase plane of dX, the taps that write it (shifts negated, reading dY).
    let adjointTaps: [[Tap]]
    /// Output planes of the forward pass and of the adjoint (dX, per phase).
    let forwardMask, adjointMask: MaskGeometry

    init?(_ g: WindowGeometry) {
        let S = g.stride
        if S == 1, g.padding == 0, g.kernelWidth > 1 {
            self = Self.columnPhases(g)
            return
        }
        let forwardMask: MaskGeometry, adjointMask: MaskGeometry
        if S == 1 {
            guard 2 * g.padding < g.kernelHeight, 2 * g.padding < g.kernelWidth else { return nil }  // output <= input
            let (OH, OW, H, W) = (g.outputHeight, g.outputWidth, g.height, g.width)
            forwardMask = MaskGeometry(rows: OH, pitch: W, validColumns: OW, sourceRows: H, sourceColumns: W)
            adjointMask = MaskGeometry(rows: H, pitch: W, validColumns: W, sourceRows: OH, sourceColumns: OW)
        } else {
            guard g.height % S == 0, g.width % S == 0, g.outputHeight == g.height / S, g.outputWidth == g.width / S else { return nil }
            let (R, Q) = (g.height / S, g.width / S)
            forwardMask = MaskGeometry(rows: R, pitch: Q, validColumns: Q, sourceRows: R, sourceColumns: Q)
            adjointMask = forwardMask
        }
        var taps: [Tap] = []
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                let (dh, a) = Self.split(kh - g.padding, S), (dw, b) = Self.split(kw - g.padding, S)
                taps.append(Tap(weightTap: Int32(kh * g.kernelWidth + kw), phase: a * S + b,
                                rowShift: Int32(dh), columnShift: Int32(dw)))
            }
        }
        self.init(geometry: g, shiftsColumns: false, forwardTaps: taps, phases: S * S, forwardMask: forwardMask,
                  adjointMask: adjointMask)
    }

    /// The plan for a column-sparse convolution: the dense plan's taps that keep some channel, with their channel lists.
    /// Taps with no kept channel are dropped from the adjoint too (their weights are all zero). Nil as `init?(_:)`.
    init?(_ g: WindowGeometry, columns: ConvolutionColumns?) {
        guard let dense = ConvolutionTapPlan(g) else { return nil }
        guard let columns else { self = dense; return }
        guard !columns.kept.isEmpty else { return nil }  // nothing kept: the reference path with an all-zero weight
        var perTap = [[Int32]](repeating: [], count: columns.kernelArea)
        for column in columns.kept { perTap[column % columns.kernelArea].append(Int32(column / columns.kernelArea)) }
        let taps = dense.forwardTaps.filter { !perTap[Int($0.weightTap)].isEmpty }
        var starts: [Int32] = [0], channels: [Int32] = []
        for tap in taps {
            channels += perTap[Int(tap.weightTap)]
            starts.append(Int32(channels.count))
        }
        // Channel blocks wide enough that a tap keeps about five of a block's channels (the kernel's widest block):
        // five dense channels at 50% kept gave segments of 2-3 channels, 4 + 2.5 loads per 10 FMAs against 4 + 5 per 20.
        var segmentTaps: [Int32] = [], segmentStarts: [Int32] = [0], segmentChannels: [Int32] = []
        let C = columns.channels, keptFraction = Double(columns.kept.count) / Double(columns.columnCount)
        let blockWidth = min(C, max(5, Int((5 / keptFraction).rounded())))
        let blocks = (C + blockWidth - 1) / blockWidth
        var first = 0
        for block in 0..<blocks {
            let members = first..<(first + C / blocks + (block < C % blocks ? 1 : 0))
            first = members.upperBound
            for (index, tap) in taps.enumerated() {
                let kept = perTap[Int(tap.weightTap)].filter { members.contains(Int($0)) }
                let chunks = (kept.count + 4) / 5
                var start = 0
                for chunk in 0..<chunks {  // balanced chunks of at most five: 7 = 4 + 3, not 5 + 2
                    let size = kept.count / chunks + (chunk < kept.count % chunks ? 1 : 0)
                    segmentTaps.append(Int32(index))
                    segmentChannels += kept[start..<(start + size)]
                    segmentStarts.append(Int32(segmentChannels.count))
                    start += size
                }
            }
        }
        self.init(geometry: g, shiftsColumns: dense.shiftsColumns, forwardTaps: taps, phases: dense.phases,
                  forwardMask: dense.forwardMask, adjointMask: dense.adjointMask,
                  columns: ColumnLists(starts: starts, channels: channels, channelsByWeightTap: perTap, segmentTaps: segmentTaps,
                                       segmentStarts: segmentStarts, segmentChannels: segmentChannels))
    }

    /// Unpadded stride-1 convolutions (LeNet) as column phases: phase b = kw holds the input shifted left by kw,
    /// rows of OW floats, and tap (kh, kw) reads phase kw shifted down by kh. Output rows are then OW wide, with
    /// no dead lanes: at the input's pitch (W), a third of LeNet-5 conv2's lanes (4 of 12 columns) were wasted.
    /// The adjoint writes each phase plane (H rows of OW) from the taps of its kernel column, rows shifted up by
    /// kh; `ConvolutionKernels.scatterColumns` sums the phases back into dX.
    private static func columnPhases(_ g: WindowGeometry) -> ConvolutionTapPlan {
        let (OH, OW, H) = (g.outputHeight, g.outputWidth, g.height)
        var taps: [Tap] = []
        for kh in 0..<g.kernelHeight {
            for kw in 0..<g.kernelWidth {
                taps.append(Tap(weightTap: Int32(kh * g.kernelWidth + kw), phase: kw, rowShift: Int32(kh), columnShift: 0))
            }
        }
        return ConvolutionTapPlan(geometry: g, shiftsColumns: true, forwardTaps: taps, phases: g.kernelWidth,
                                  forwardMask: MaskGeometry(rows: OH, pitch: OW, validColumns: OW, sourceRows: H, sourceColumns: OW),
                                  adjointMask: MaskGeometry(rows: H, pitch: OW, validColumns: OW, sourceRows: OH, sourceColumns: OW))
    }

    /// Adjoint taps: per phase, the forward taps that read it, shifts negated.
    private init(geometry: WindowGeometry, shiftsColumns: Bool, forwardTaps taps: [Tap], phases: Int,
                 forwardMask: MaskGeometry, adjointMask: MaskGeometry, columns: ColumnLists? = nil) {
        self.geometry = geometry
        self.columns = columns
        self.shiftsColumns = shiftsColumns
        self.forwardMask = forwardMask
        self.adjointMask = adjointMask
        forwardTaps = taps
        adjointTaps = (0..<phases).map { phase in
            taps.filter { $0.phase == phase }.map {
                Tap(weightTap: $0.weightTap, phase: phase, rowShift: -$0.rowShift, columnShift: -$0.columnShift)
            }
        }
    }

    /// Whether the input is laid out as column phases (unpadded stride-1 convolutions, see `init(columnPhasesOf:)`).
    let shiftsColumns: Bool

    /// Phase planes per image: S*S, or KW column phases.
    var phases: Int { shiftsColumns ? geometry.kernelWidth : geometry.stride * geometry.stride }

    /// Whether output rows are stored at a pitch wider than the output (unpadded stride-1 convolutions).
    var pitchesOutput: Bool { forwardMask.validColumns < forwardMask.pitch }

    /// Whether images can be stacked: every image's input and output planes have the same rows and pitch.
    var stacksImages: Bool { forwardMask.rows == forwardMask.sourceRows && !pitchesOutput }

    /// Bit f set when some forward tap reads phase f (a 1x1 stride-2 conv reads only phase 0).
    var usedPhases: UInt32 { forwardTaps.reduce(0) { $0 | (1 << UInt32($1.phase)) } }

    /// value = S * quotient + remainder with 0 <= remainder < S (floor division).
    private static func split(_ value: Int, _ S: Int) -> (quotient: Int, remainder: Int) {
        let remainder = ((value % S) + S) % S
        return ((value - remainder) / S, remainder)
    }
}
