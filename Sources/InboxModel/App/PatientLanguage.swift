/// The patient's language as a receptionist needs it: the provider's code when there is one, otherwise a guess
/// from the script the patient writes in, and which templates fit it.
///
/// Why a script guess: WhatsApp providers rarely send a language, so every patient used to read "unknown". The
/// script of their own messages is a strong, cheap hint (Arabic letters → Arabic, Devanagari → Hindi, Han →
/// Chinese…). Latin script says nothing about the language, so it is reported as a script, not a language.
public struct PatientLanguage: Sendable, Equatable {
    /// A language code ("pt-BR", "ar") when known or guessed from a script that implies one; nil for Latin etc.
    public var code: String?
    /// What the sidebar shows: "Portuguese (pt-BR)", "Arabic (guess)", "Latin script (guess)".
    public var description: String
    /// True when it was guessed from the messages rather than given by the provider.
    public var isGuess: Bool

    /// The provider's language when set, else a guess from the patient's messages (the latest 20), else nil.
    public static func of(_ patient: Patient?, messages: [Message]) -> PatientLanguage? {
        if let code = patient?.language?.trimmingSpaces, !code.isEmpty {
            let name = names[primary(code)]
            return PatientLanguage(code: code, description: name.map { "\($0) (\(code))" } ?? code, isGuess: false)
        }
        let written = messages.filter { $0.author == .patient }.suffix(20).map(\.body)
        guard let script = dominantScript(written) else { return nil }
        return PatientLanguage(code: script.language, description: script.name + " (guess)",
                               isGuess: true)
    }

    /// Whether a template in `templateLanguage` ("pt_BR", "en") suits this language ("pt-BR", "pt", "ar"):
    /// same primary subtag, "-" and "_" alike.
    public func fits(templateLanguage: String) -> Bool {
        guard let code else { return false }
        return Self.sameLanguage(code, templateLanguage)
    }

    /// "pt-BR", "pt_BR" and "pt" are the same language for choosing a template.
    public static func sameLanguage(_ a: String, _ b: String) -> Bool { primary(a) == primary(b) }

    /// Templates with the ones in this language first, otherwise in their given order.
    public static func ordered(_ templates: [MessageTemplate], for language: PatientLanguage?) -> [MessageTemplate] {
        guard let language else { return templates }
        return templates.filter { language.fits(templateLanguage: $0.language) }
            + templates.filter { !language.fits(templateLanguage: $0.language) }
    }

    static func primary(_ code: String) -> String {
        String(code.lowercased().prefix { $0 != "-" && $0 != "_" })
    }

    struct Script: Equatable {
        var name: String
        var language: String?
    }

    /// The script most of the letters are in, by counting letters of each known script.
    static func dominantScript(_ texts: [String]) -> Script? {
        var counts: [String: (Script, Int)] = [:]
        for text in texts {
            for scalar in text.unicodeScalars {
                guard let script = script(of: scalar.value) else { continue }
                counts[script.name, default: (script, 0)].1 += 1
            }
        }
        // Japanese writes Han too: any kana makes it Japanese.
        if let kana = counts["Japanese"], kana.1 > 0 { return kana.0 }
        return counts.values.max { $0.1 < $1.1 }?.0
    }

    static func script(of v: UInt32) -> Script? {
        switch v {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: Script(name: "Latin script", language: nil)
        case 0x370...0x3FF: Script(name: "Greek", language: "el")
        case 0x400...0x4FF: Script(name: "Cyrillic script", language: nil)
        case 0x590...0x5FF, 0xFB1D...0xFB4F: Script(name: "Hebrew", language: "he")
        case 0x600...0x6FF, 0x750...0x77F, 0x8A0...0x8FF, 0xFB50...0xFDFF, 0xFE70...0xFEFF:
            Script(name: "Arabic", language: "ar")
        case 0x900...0x97F: Script(name: "Hindi", language: "hi")
        case 0x980...0x9FF: Script(name: "Bengali", language: "bn")
        case 0xE00...0xE7F: Script(name: "Thai", language: "th")
        case 0x3040...0x30FF: Script(name: "Japanese", language: "ja")
        case 0xAC00...0xD7AF, 0x1100...0x11FF: Script(name: "Korean", language: "ko")
        case 0x3400...0x4DBF, 0x4E00...0x9FFF: Script(name: "Chinese", language: "zh")
        default: nil
        }
    }

    static let names: [String: String] = [
        "en": "English", "es": "Spanish", "pt": "Portuguese", "fr": "French", "de": "German", "it": "Italian",
        "nl": "Dutch", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi", "ur": "Urdu", "fa": "Persian",
        "bn": "Bengali", "zh": "Chinese", "ja": "Japanese", "ko": "Korean", "ru": "Russian", "uk": "Ukrainian",
        "tr": "Turkish", "pl": "Polish", "el": "Greek", "th": "Thai", "vi": "Vietnamese", "id": "Indonesian",
        "ms": "Malay", "ta": "Tamil", "sw": "Swahili", "tl": "Filipino",
    ]
}

private extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
