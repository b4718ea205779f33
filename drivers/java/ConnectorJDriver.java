// External driver (drivers/CONTRACT.md) for MariaDB Connector/J over JDBC: reads cells as JSON
// lines on stdin, answers one result line each on stdout. Compiled at image build by
// drivers/build.sh into /opt/drivers/java/classes; the harness runs it as
// java -cp /opt/drivers/java/classes:/usr/share/java/mariadb-java-client.jar:/usr/share/java/gson.jar ConnectorJDriver
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      JsonObject cell = JsonParser.parseString(line).getAsJsonObject();
      JsonObject result;
      try {
        result = run(cell);
      } catch (Throwable t) { // a library failure is a result, never a crash
        result = failed(t);
      }
      JsonObject answer = new JsonObject();
      answer.add("id", cell.get("id"));
      result.entrySet().forEach(e -> answer.add(e.getKey(), e.getValue()));
      emit(answer);
    }
  }

  private static void emit(JsonObject o) {
    out.println(GSON.toJson(o));
    out.flush();
  }

  private static JsonObject hello() {
    JsonObject modes = new JsonObject();
    modes.add("DISABLED", mode("options", "sslMode=disable"));
    modes.add("PREFERRED", mode("unsupported", NO_PREFERRED));
    modes.add("REQUIRED", mode("options", "sslMode=trust&serverSslCert=CA"));
    modes.add("VERIFY_CA", mode("options", "sslMode=verify-ca&serverSslCert=CA"));
    modes.add("VERIFY_IDENTITY", mode("options", "sslMode=verify-full&serverSslCert=CA"));
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
    p.setProperty("disableSslContextCache", "true");
    if (mode.equals("DISABLED")) {
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
        return unsupported("Connector/J 3 takes a client certificate only as a keyStore (PKCS12/JKS),"
            + " not as a PEM certificate and key pair");
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
