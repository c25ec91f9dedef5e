import CurlHTTP
import InboxServer
import Testing

@Suite("Form encoding and Twilio signatures")
struct FormAndSignatureTests {
    @Test func roundTripsHostileText() throws {
        let pairs = [("Body", "a+b & c=d % 100 ✓ مرحبا\n"), ("Empty", "")]
        let decoded = try #require(FormEncoding.decode(FormEncoding.encode(pairs)))
        #expect(decoded.map(\.0) == pairs.map(\.0))
        #expect(decoded.map(\.1) == pairs.map(\.1))
        #expect(FormEncoding.decode("a=%zz") == nil)
        #expect(FormEncoding.decode("a=%FF%FE") == nil, "not UTF-8")
    }

    /// The worked example from Twilio's security documentation.
    @Test func matchesTwilioDocumentedExample() {
        let parameters = [("CallSid", "CA1234567890ABCDE"), ("Caller", "+12349013030"), ("Digits", "1234"),
                          ("From", "+12349013030"), ("To", "+18005551212")]
        let signer = TwilioSignature(authToken: "12345")
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2"
        #expect(signer.sign(url: url, parameters: parameters) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ=")
        #expect(signer.isValid(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: url, parameters: parameters))
        #expect(signer.isValid(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: "https://mycompany.com:443/myapp.php?foo=1&bar=2",
                               parameters: parameters), "Twilio may sign with or without the default port")
        #expect(!signer.isValid(signature: "0/KCTR6DLpKmkAf8muzZqo1nDgQ=", url: url, parameters: Array(parameters.dropLast())))
    }
}
