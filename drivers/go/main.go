// External driver (drivers/CONTRACT.md) for go-sql-driver/mysql: reads cells as JSON lines on
// stdin, answers one result line each on stdout. Built at image build by drivers/build.sh (GOPATH
// mode against Debian's golang-github-go-sql-driver-mysql-dev, version stamped via -ldflags) into
// /opt/drivers/go/go-sql-driver-mysql, which the harness runs with no arguments.
package main

import (
	"bufio"
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
)

// driverVersion is the Debian package version of the driver source, set at build time.
var driverVersion = "unknown"

type cell struct {
	ID         uint64  `json:"id"`
	SslMode    string  `json:"ssl_mode"`
	Host       string  `json:"host"`
	Port       uint16  `json:"port"`
	User       string  `json:"user"`
	Password   string  `json:"password"`
	CA         *string `json:"ca"`
	Cert       *string `json:"cert"`
	Key        *string `json:"key"`
	PKCS12     *string `json:"pkcs12"`
	PKCS12Pass *string `json:"pkcs12_password"`
	CRL        *string `json:"crl"`
	TLSVersion *string `json:"tls_version"`
	TimeoutMS  uint64  `json:"timeout_ms"`
}

type connected struct {
	ID         uint64  `json:"id"`
	Outcome    string  `json:"outcome"`
	TLSVersion *string `json:"tls_version"`
	Cipher     *string `json:"cipher"`
}

type failed struct {
	ID       uint64  `json:"id"`
	Outcome  string  `json:"outcome"`
	Code     *uint16 `json:"code"`
	SQLState *string `json:"sqlstate"`
	Message  string  `json:"message"`
	RawType  string  `json:"raw_type"`
}

type unsupported struct {
	ID      uint64 `json:"id"`
	Outcome string `json:"outcome"`
	Reason  string `json:"reason"`
}

// invalidCell answers a line that is not a valid cell (drivers/CONTRACT.md, invalid lines).
type invalidCell struct {
	ID      uint64 `json:"id"`
	Outcome string `json:"outcome"`
	Message string `json:"message"`
}

var modes = map[string]map[string]string{
	"DISABLED":  {"options": "tls=false"},
	"PREFERRED": {"options": "tls=preferred"},
	"REQUIRED":  {"options": "tls=skip-verify"},
	"VERIFY_CA": {"options": "tls=<RegisterTLSConfig: RootCAs=CA, InsecureSkipVerify=true, " +
		"VerifyPeerCertificate verifies the chain against RootCAs without a host name>"},
	"VERIFY_IDENTITY": {"options": "tls=<RegisterTLSConfig: RootCAs=CA, ServerName=host>"},
	"DEFAULT":         {"options": "DSN without a tls parameter (Config.TLSConfig and Config.TLS left unset)"},
}

func main() {
	out := json.NewEncoder(os.Stdout) // os.Stdout is unbuffered: each line is written at once
	out.SetEscapeHTML(false)
	hello := struct {
		Driver  string                       `json:"driver"`
		Version string                       `json:"version"`
		Runtime string                       `json:"runtime"`
		Modes   map[string]map[string]string `json:"modes"`
	}{"go-sql-driver-mysql", driverVersion, runtime.Version() + " (crypto/tls)", modes}
	if err := out.Encode(map[string]any{"hello": hello}); err != nil {
		os.Exit(1)
	}
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for in.Scan() {
		if len(strings.TrimSpace(in.Text())) == 0 {
			continue // blank lines are not cells: no answer
		}
		var result any
		if c, id, err := parseCell(in.Bytes()); err != nil {
			fmt.Fprintln(os.Stderr, "invalid cell line:", err)
			result = invalidCell{ID: id, Outcome: "invalid_cell", Message: err.Error()}
		} else {
			result = runCell(c)
		}
		if err := out.Encode(result); err != nil {
			fmt.Fprintln(os.Stderr, "stdout:", err)
			os.Exit(1)
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "stdin:", err)
	}
}

// parseCell reads a cell line, checking it against the contract schema's cell: required fields
// present and of their type, ssl_mode one of the six, optional fields a string or null. On
// error it returns the line's id when the line is an object with an unsigned integer id, else 0.
func parseCell(line []byte) (*cell, uint64, error) {
	if !utf8.Valid(line) {
		return nil, 0, errors.New("not JSON: not UTF-8")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(line, &fields); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) {
			return nil, 0, fmt.Errorf("not JSON: %w", err)
		}
		return nil, 0, fmt.Errorf("not a JSON object: %s", strings.TrimSpace(string(line)))
	}
	if fields == nil { // the line is `null`
		return nil, 0, errors.New("not a JSON object: null")
	}
	var c cell
	var id uint64 // stays 0 unless `id` is an unsigned integer
	if raw, ok := fields["id"]; ok {
		_ = json.Unmarshal(raw, &id)
	}
	required := []struct {
		name   string
		target any
	}{
		{"id", &c.ID}, {"ssl_mode", &c.SslMode}, {"host", &c.Host}, {"port", &c.Port},
		{"user", &c.User}, {"password", &c.Password}, {"timeout_ms", &c.TimeoutMS},
	}
	for _, f := range required {
		raw, ok := fields[f.name]
		if !ok {
			return nil, id, fmt.Errorf("missing field `%s`", f.name)
		}
		// Unmarshal leaves a target unchanged on null: null is the wrong type here too.
		if string(raw) == "null" || json.Unmarshal(raw, f.target) != nil {
			return nil, id, fmt.Errorf("field `%s`: %s has the wrong type", f.name, raw)
		}
	}
	if _, ok := modes[c.SslMode]; !ok {
		return nil, id, fmt.Errorf("field `ssl_mode`: unknown ssl-mode %q", c.SslMode)
	}
	optional := []struct {
		name   string
		target **string
	}{{"ca", &c.CA}, {"cert", &c.Cert}, {"key", &c.Key}, {"pkcs12", &c.PKCS12}, {"pkcs12_password", &c.PKCS12Pass}, {"crl", &c.CRL}, {"tls_version", &c.TLSVersion}}
	for _, f := range optional {
		if raw, ok := fields[f.name]; ok && json.Unmarshal(raw, f.target) != nil {
			return nil, id, fmt.Errorf("field `%s`: %s is neither a string nor null", f.name, raw)
		}
	}
	return &c, id, nil
}

func fail(id uint64, err error) failed {
	f := failed{ID: id, Outcome: "failed", Message: err.Error(), RawType: fmt.Sprintf("%T", err)}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		n := me.Number
		f.Code = &n
		if state := string(me.SQLState[:]); me.SQLState != [5]byte{} {
			f.SQLState = &state
		}
	}
	return f
}

// runCell makes one connection attempt; a panic in the library is a failed result too.
func runCell(c *cell) (result any) {
	defer func() {
		if p := recover(); p != nil {
			result = failed{ID: c.ID, Outcome: "failed", Message: fmt.Sprint(p), RawType: "panic"}
		}
	}()
	timeout := time.Duration(c.TimeoutMS) * time.Millisecond
	cfg := mysql.NewConfig()
	cfg.User, cfg.Passwd = c.User, c.Password
	cfg.Net, cfg.Addr = "tcp", net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port)))
	cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout = timeout, timeout, timeout
	switch c.SslMode {
	case "DEFAULT":
		// No tls parameter: TLSConfig "" and TLS nil as NewConfig leaves them; the cell's CA,
		// client certificate, CRL and TLS version are not used.
	case "DISABLED":
		cfg.TLSConfig = "false"
	default:
		tc, reason, err := tlsConfig(c)
		if reason != "" {
			return unsupported{ID: c.ID, Outcome: "unsupported", Reason: reason}
		}
		if err != nil {
			return fail(c.ID, err)
		}
		if c.SslMode == "PREFERRED" {
			cfg.AllowFallbackToPlaintext = true // what tls=preferred sets
		}
		if err := mysql.RegisterTLSConfig("harness", tc); err != nil {
			return fail(c.ID, err)
		}
		defer mysql.DeregisterTLSConfig("harness")
		cfg.TLSConfig = "harness"
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return fail(c.ID, err)
	}
	// A backstop only: the library's own timeout/readTimeout should fire first.
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Second)
	defer cancel()
	conn, err := connector.Connect(ctx)
	if err != nil {
		return fail(c.ID, err)
	}
	defer conn.Close()
	version, err := status(ctx, conn, "Ssl_version")
	if err != nil {
		return fail(c.ID, err)
	}
	cipher, err := status(ctx, conn, "Ssl_cipher")
	if err != nil {
		return fail(c.ID, err)
	}
	return connected{ID: c.ID, Outcome: "connected", TLSVersion: version, Cipher: cipher}
}

func status(ctx context.Context, conn driver.Conn, name string) (*string, error) {
	rows, err := conn.(driver.QueryerContext).QueryContext(ctx, "SHOW SESSION STATUS LIKE '"+name+"'", nil)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(vals); err == io.EOF {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	var s string
	switch v := vals[1].(type) {
	case nil:
		return nil, nil
	case []byte:
		s = string(v)
	default:
		s = fmt.Sprint(v)
	}
	if s == "" {
		return nil, nil
	}
	return &s, nil
}
