// External driver (drivers/CONTRACT.md) for MariaDB Connector/J over JDBC: reads cells as JSON
// lines on stdin, answers one result line each on stdout. Compiled at image build by
// drivers/build.sh into /opt/drivers/java/classes; the harness runs it as
// java -cp /opt/drivers/java/classes:/usr/share/java/mariadb-java-client.jar:/usr/share/java/gson.jar ConnectorJDriver
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

public final class ConnectorJDriver {
  private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();
  private static final String NO_PREFERRED =
      "Connector/J 3 has no opportunistic TLS: sslMode is disable, trust, verify-ca or verify-full,"
          + " and every mode but disable makes TLS mandatory";
  private static PrintStream out;

  public static void main(String[] args) throws Exception {
    // Contract lines only on the real stdout; anything the library prints goes to stderr.
    out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    System.setOut(System.err);
    emit(hello());
    InputStream in = new BufferedInputStream(System.in);
    for (byte[] line; (line = readLine(in)) != null; ) {
      JsonObject answer = new JsonObject();
      JsonObject result;
      try {
        JsonObject cell = parseCell(line);
        if (cell == null) continue; // blank lines are not cells: no answer
        answer.add("id", new JsonPrimitive(uint(cell.get("id"), MAX_U64)));
        try {
          result = run(cell);
        } catch (Throwable t) { // a library failure is a result, never a crash
          result = failed(t);
        }
      } catch (InvalidCell e) { // not a cell: one `invalid_cell` answer, no connection attempt
        System.err.println("invalid cell line: " + e.getMessage());
        answer.add("id", e.id);
        result = new JsonObject();
        result.addProperty("outcome", "invalid_cell");
        result.addProperty("message", e.getMessage());
      }
      result.entrySet().forEach(e -> answer.add(e.getKey(), e.getValue()));
      emit(answer);
    }
  }

  /** The next line of `in` without its newline, or null at end of input. */
  private static byte[] readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != -1 && b != '\n') line.write(b);
    return b == -1 && line.size() == 0 ? null : line.toByteArray();
  }

  /** A line that is not a valid cell; `id` is the line's id when it could be read, else 0. */
  @SuppressWarnings("serial")
  private static final class InvalidCell extends Exception {
    final JsonPrimitive id;

    InvalidCell(JsonPrimitive id, String message) {
      super(message);
      this.id = id;
    }
  }

  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64);
  private static final List<String> REQUIRED =
      List.of("id", "ssl_mode", "host", "port", "user", "password", "timeout_ms");
  private static final List<String> TEXT = List.of("ssl_mode", "host", "user", "password");
  private static final List<String> OPTIONAL =
      List.of("ca", "cert", "key", "pkcs12", "pkcs12_password", "crl", "tls_version");
  /** What a client certificate adds to every TLS mode (Connector/J takes it only as a keystore). */
  private static final String IDENTITY =
      "; with a client certificate also keyStore=P12&keyStorePassword=PASSWORD&keyStoreType=PKCS12"
          + " (the certificate and key packed as PKCS#12, as openssl pkcs12 -export does)";
  private static final List<String> MODES =
      List.of("DISABLED", "PREFERRED", "REQUIRED", "VERIFY_CA", "VERIFY_IDENTITY", "DEFAULT");

  /** `e` as an integer in [0, limit) written without fraction or exponent, or null. */
  private static BigInteger uint(JsonElement e, BigInteger limit) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) return null;
    String digits = e.getAsString();
    if (!digits.matches("[0-9]+")) return null;
    BigInteger n = new BigInteger(digits);
    return n.compareTo(limit) < 0 ? n : null;
  }

  /**
   * The cell on the line `bytes` (strict JSON, checked against the contract schema's cell;
   * absent optional fields set to null), or null for a blank line. Throws InvalidCell
   * (drivers/CONTRACT.md, invalid lines).
   */
  private static JsonObject parseCell(byte[] bytes) throws InvalidCell {
    JsonPrimitive zero = new JsonPrimitive(0);
    String line;
    try {
      line = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw new InvalidCell(zero, "not JSON: not UTF-8");
    }
    if (line.isBlank()) return null;
    JsonElement parsed;
    try {
      JsonReader reader = new JsonReader(new StringReader(line)); // strict, unlike JsonParser
      parsed = GSON.getAdapter(JsonElement.class).read(reader);
      if (reader.peek() != JsonToken.END_DOCUMENT) throw new IOException("text after the JSON value");
    } catch (IOException | RuntimeException e) {
      String why = String.valueOf(e.getMessage())
          .replace("Use JsonReader.setLenient(true) to accept malformed JSON", "malformed JSON");
      throw new InvalidCell(zero, "not JSON: " + why);
    }
    if (!parsed.isJsonObject()) throw new InvalidCell(zero, "not a JSON object: " + parsed);
    JsonObject cell = parsed.getAsJsonObject();
    BigInteger lineId = uint(cell.get("id"), MAX_U64);
    JsonPrimitive id = lineId == null ? zero : new JsonPrimitive(lineId);
    for (String name : REQUIRED) {
      JsonElement value = cell.get(name);
      if (value == null) throw new InvalidCell(id, "missing field `" + name + "`");
      boolean ok = TEXT.contains(name)
          ? value.isJsonPrimitive() && value.getAsJsonPrimitive().isString()
          : uint(value, name.equals("port") ? BigInteger.valueOf(65536) : MAX_U64) != null;
      if (!ok) throw new InvalidCell(id, "field `" + name + "`: " + value + " has the wrong type");
    }
    if (!MODES.contains(cell.get("ssl_mode").getAsString())) {
      throw new InvalidCell(id, "field `ssl_mode`: unknown ssl-mode " + cell.get("ssl_mode"));
    }
    for (String name : OPTIONAL) {
      JsonElement value = cell.get(name);
      if (value == null) {
        cell.add(name, JsonNull.INSTANCE);
      } else if (!value.isJsonNull() && !(value.isJsonPrimitive() && value.getAsJsonPrimitive().isString())) {
        throw new InvalidCell(id, "field `" + name + "`: " + value + " is neither a string nor null");
      }
    }
    return cell;
  }

  private static void emit(JsonObject o) {
    out.println(GSON.toJson(o));
    out.flush();
  }

  private static JsonObject hello() {
    JsonObject modes = new JsonObject();
    modes.add("DISABLED", mode("options", "sslMode=disable"));
    modes.add("PREFERRED", mode("unsupported", NO_PREFERRED));
    modes.add("REQUIRED", mode("options", "sslMode=trust&serverSslCert=CA" + IDENTITY));
    modes.add("VERIFY_CA", mode("options", "sslMode=verify-ca&serverSslCert=CA" + IDENTITY));
    modes.add("VERIFY_IDENTITY", mode("options", "sslMode=verify-full&serverSslCert=CA" + IDENTITY));
    modes.add("DEFAULT", mode("options",
        "jdbc:mariadb://host:port/ with only user, password, connectTimeout, socketTimeout"
            + " (no sslMode, serverSslCert or other TLS property)"));
    JsonObject h = new JsonObject();
    h.addProperty("driver", "mariadb-connector-j");
    h.addProperty("version", driverVersion());
    h.addProperty("runtime", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    h.add("modes", modes);
    JsonObject o = new JsonObject();
    o.add("hello", h);
    return o;
  }

  private static JsonObject mode(String key, String value) {
    JsonObject o = new JsonObject();
    o.addProperty(key, value);
    return o;
  }

  /** The full version the jar declares (mariadb.properties, as Connector/J reads it itself). */
  private static String driverVersion() {
    try (InputStream s = org.mariadb.jdbc.Driver.class.getClassLoader().getResourceAsStream("mariadb.properties")) {
      if (s != null) {
        Properties p = new Properties();
        p.load(s);
        if (p.getProperty("version") != null) return p.getProperty("version");
      }
    } catch (Exception e) {
      System.err.println("mariadb.properties: " + e);
    }
    String impl = org.mariadb.jdbc.Driver.class.getPackage().getImplementationVersion();
    if (impl != null) return impl;
    org.mariadb.jdbc.Driver d = new org.mariadb.jdbc.Driver();
    return d.getMajorVersion() + "." + d.getMinorVersion();
  }

  private static String str(JsonObject cell, String key) {
    JsonElement e = cell.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static JsonObject unsupported(String reason) {
    JsonObject o = new JsonObject();
    o.addProperty("outcome", "unsupported");
    o.addProperty("reason", reason);
    return o;
  }

  private static JsonObject run(JsonObject cell) throws SQLException {
    String mode = str(cell, "ssl_mode");
    Properties p = new Properties();
    p.setProperty("user", str(cell, "user"));
    p.setProperty("password", str(cell, "password") == null ? "" : str(cell, "password"));
    String timeout = String.valueOf(cell.get("timeout_ms").getAsLong());
    p.setProperty("connectTimeout", timeout);
    p.setProperty("socketTimeout", timeout);
    // Harness hygiene, not TLS semantics: rebuild trust managers each cell (fixtures may change).
    // DEFAULT sets no TLS property at all, not even this one.
    if (!mode.equals("DEFAULT")) p.setProperty("disableSslContextCache", "true");
    if (mode.equals("DEFAULT")) {
      // Connector/J's own default: the cell's CA, client certificate, CRL and TLS version are unused.
    } else if (mode.equals("DISABLED")) {
      p.setProperty("sslMode", "disable");
    } else {
      switch (mode) {
        case "PREFERRED":
          return unsupported(NO_PREFERRED);
        case "REQUIRED": p.setProperty("sslMode", "trust"); break;
        case "VERIFY_CA": p.setProperty("sslMode", "verify-ca"); break;
        case "VERIFY_IDENTITY": p.setProperty("sslMode", "verify-full"); break;
        default: return unsupported("unknown ssl_mode " + mode);
      }
      if (str(cell, "cert") != null || str(cell, "key") != null) {
        // Connector/J takes a client certificate only as a keystore: the harness's PKCS#12 of them.
        String p12 = str(cell, "pkcs12");
        if (p12 == null || !new java.io.File(p12).isFile()) {
          return unsupported("Connector/J takes a client certificate only as a keystore, and the"
              + " harness could not pack this certificate and key as PKCS#12 (its log says why)");
        }
        p.setProperty("keyStore", p12);
        p.setProperty("keyStorePassword", str(cell, "pkcs12_password"));
        p.setProperty("keyStoreType", "PKCS12");
      }
      if (str(cell, "crl") != null) {
        return unsupported("Connector/J 3 has no CRL option");
      }
      if (str(cell, "ca") != null) p.setProperty("serverSslCert", str(cell, "ca"));
      if (str(cell, "tls_version") != null) p.setProperty("enabledSslProtocolSuites", str(cell, "tls_version"));
    }
    String url = "jdbc:mariadb://" + str(cell, "host") + ":" + cell.get("port").getAsInt() + "/";
    try (Connection c = new org.mariadb.jdbc.Driver().connect(url, p)) {
      JsonObject o = new JsonObject();
      o.addProperty("outcome", "connected");
      o.addProperty("tls_version", status(c, "Ssl_version"));
      o.addProperty("cipher", status(c, "Ssl_cipher"));
      return o;
    }
  }

  private static String status(Connection c, String name) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW SESSION STATUS LIKE '" + name + "'")) {
      String v = rs.next() ? rs.getString(2) : null;
      return v == null || v.isEmpty() ? null : v;
    }
  }

  private static JsonObject failed(Throwable t) {
    JsonObject o = new JsonObject();
    o.addProperty("outcome", "failed");
    Integer code = null;
    String sqlstate = null;
    if (t instanceof SQLException) {
      SQLException e = (SQLException) t;
      if (e.getErrorCode() > 0) code = e.getErrorCode();
      sqlstate = e.getSQLState();
    }
    o.addProperty("code", code);
    o.addProperty("sqlstate", sqlstate);
    o.addProperty("message", message(t));
    o.addProperty("raw_type", t.getClass().getName());
    return o;
  }

  /** The message, then each cause's message the text so far does not already contain. */
  private static String message(Throwable t) {
    StringBuilder sb = new StringBuilder(t.getMessage() != null ? t.getMessage() : t.getClass().getName());
    for (Throwable c = t.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
      String m = c.getMessage() != null ? c.getMessage() : c.getClass().getName();
      if (sb.indexOf(m) < 0) sb.append(": ").append(m);
    }
    return sb.toString();
  }
}
