import PruneKit

/// `info`'s channel-group table: per group its name, kind, units (removable at most), and the layers it narrows
/// (producers: outputs and batch norms) and reads (inputs).
struct ChannelGroupTable: CustomStringConvertible {
    /// One group, as `info --json` prints it.
    struct Row: Encodable {
        let name: String, kind: String, units: Int, removableUnits: Int, producers: [String], readers: [String]
    }
    let rows: [Row]

    init(groups: [ChannelGroup]) {
        rows = groups.map { group in
            Row(name: group.name, kind: group.kind.rawValue, units: group.unitCount, removableUnits: group.removableUnits,
                producers: group.producers.map(\.layerName), readers: group.members.filter { !$0.isProducer }.map(\.layerName))
        }
    }

    var description: String {
        let width = max(rows.map(\.name.count).max() ?? 0, 5) + 2
        let header = "channel group".padding(toLength: max(width, 15), withPad: " ", startingAt: 0) + "kind            units  layers (producers | readers)"
        let lines = rows.map { row in
            row.name.padding(toLength: max(width, 15), withPad: " ", startingAt: 0) + row.kind.padding(toLength: 16, withPad: " ", startingAt: 0)
                + String(row.units).padding(toLength: 7, withPad: " ", startingAt: 0)
                + row.producers.joined(separator: ", ") + " | " + row.readers.joined(separator: ", ")
        }
        return "\(rows.count) channel groups (pruning removes whole units: a unit's channels from every layer of its group):\n"
            + ([header] + lines).joined(separator: "\n")
    }
}
