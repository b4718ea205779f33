#!/bin/sh
# Compiles the external drivers (drivers/CONTRACT.md) at clients-image build, offline, from the
# Debian packages of images/clients/packages. Usage: build.sh [OUT], OUT defaulting to the
# directory holding this script (/opt/drivers in the image). Node needs no build.
set -eux
SRC=$(cd "$(dirname "$0")" && pwd)
OUT=${1:-$SRC}

# Java: MariaDB Connector/J driver, run as `java -cp $OUT/java/classes:<jars> ConnectorJDriver`.
mkdir -p "$OUT/java/classes"
javac -encoding UTF-8 -cp /usr/share/java/mariadb-java-client.jar:/usr/share/java/gson.jar \
    -d "$OUT/java/classes" "$SRC/java/ConnectorJDriver.java"

# Go: go-sql-driver/mysql from Debian's GOPATH tree (with filippo.io/edwards25519); GOPATH builds
# carry no module version, so stamp the Debian package version of the driver source.
mkdir -p "$OUT/go"
version=$(dpkg-query -W -f '${Version}' golang-github-go-sql-driver-mysql-dev)
cd "$SRC/go"
# Up to 3 tries: on fuse-overlayfs, go's directory scan sometimes sees a file twice and stops with
# "case-insensitive file name collision" naming one GOROOT file twice.
for try in 1 2 3; do
    if GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE=/tmp/gocache CGO_ENABLED=0 GOFLAGS= \
        go build -trimpath -ldflags "-X main.driverVersion=$version" -o "$OUT/go/go-sql-driver-mysql" .
    then break; fi
    [ "$try" -lt 3 ]
done
rm -rf /tmp/gocache
