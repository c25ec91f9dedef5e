/// Sizes as people read them, everywhere the product shows one: "1.2 MB", "340 KB", "512 bytes" (binary units,
/// one decimal below 10).
public enum ByteCount {
    public static func text(_ bytes: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        guard bytes >= 1024 else { return "\(max(0, bytes)) bytes" }
        var unit = 0
        var scaled = Double(bytes)
        while scaled >= 1024, unit < units.count - 1 {
            scaled /= 1024
            unit += 1
        }
        if scaled < 10 {
            let tenths = Int((scaled * 10).rounded())
            return tenths % 10 == 0 ? "\(tenths / 10) \(units[unit])" : "\(tenths / 10).\(tenths % 10) \(units[unit])"
        }
        return "\(Int(scaled.rounded())) \(units[unit])"
    }

    public static func text(_ bytes: Int) -> String { text(Int64(bytes)) }
}
