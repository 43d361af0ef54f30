import PruneKitCore

extension Dataset {
    /// The first `count` images (all of them when `count` >= the size), for quick runs (`--train-limit`).
    /// The note records the cut: "first 1000 of 50000 images".
    public func prefix(_ count: Int) throws -> Dataset {
        let kept = max(0, min(count, self.count))
        guard kept < self.count else { return self }
        let cut = "first \(kept) of \(self.count) images"
        return try Dataset(name: name, split: split, images: Array(images[0..<kept * imageSize]), labels: Array(labels[0..<kept]),
                           channels: channels, height: height, width: width, classCount: classCount, normalization: normalization,
                           folder: folder, files: files, note: note.map { $0 + "; " + cut } ?? cut)
    }
}
