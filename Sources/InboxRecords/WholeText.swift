import Foundation
import GRDB

/// Text that may hold U+0000, stored and read back whole.
///
/// GRDB binds a Swift `String` as a C string (`sqlite3_bind_text(…, -1, …)`) and reads TEXT back with
/// `String(cString:)`, so a patient's "before\u{0}after" would be stored as "before". Text holding U+0000 is
/// therefore bound as its UTF-8 bytes (a BLOB, which SQLite keeps byte for byte in any column) and read back
/// through `DatabaseValue`, which copies a BLOB by its length. Text without U+0000 is bound as TEXT, as before.
public enum WholeText {
    /// The value to bind for `text`.
    public static func bindable(_ text: String) -> any DatabaseValueConvertible {
        text.utf8.contains(0) ? Data(text.utf8) : text
    }

    public static func bindable(_ text: String?) -> (any DatabaseValueConvertible)? {
        text.map { bindable($0) }
    }

    /// The text in column `index` of `row`, whichever way it was bound; "" for NULL.
    public static func read(_ row: Row, _ index: Int) -> String {
        readOptional(row, index) ?? ""
    }

    public static func readOptional(_ row: Row, _ index: Int) -> String? {
        let value: DatabaseValue = row[index]
        switch value.storage {
        case .string(let text): return text
        case .blob(let data): return String(decoding: data, as: UTF8.self)
        case .int64(let number): return String(number)
        case .double(let number): return String(number)
        case .null: return nil
        }
    }
}
