// Command embedded-db runs FerretDB (a MongoDB-compatible server on SQLite) for the
// consent manager when no MONGODB_URI is configured. It is started as a child process:
// it binds a free loopback port (or the one given with --port, to come back where it was
// after a restart), prints one JSON line with the connection URI once the port is bound,
// and stops when its standard input closes (the parent exited or died) or when it
// receives SIGTERM/SIGINT.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	dataDir := flag.String("data-dir", "data/db", "directory for the SQLite database files")
	host := flag.String("host", "127.0.0.1", "loopback address to listen on")
	port := flag.Int("port", 0, "port to listen on (0: a free one)")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: parseLevel(*logLevel)}))

	dir, err := filepath.Abs(*dataDir)
	if err == nil {
		err = os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		fail("data directory: %v", err)
	}

	db, addr, err := start(logger, *host, *port, dir)
	if err != nil {
		fail("start: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	// The parent holds our stdin open; EOF means it is gone and we must not outlive it.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		stop()
	}()

	// Existing tables get their _id index before we announce readiness; new ones within 100 ms.
	keeper := newIDIndexKeeper(dir, logger)
	keeper.sweep(ctx)
	go keeper.run(ctx, 100*time.Millisecond)

	ready, _ := json.Marshal(map[string]string{"uri": "mongodb://" + addr + "/", "address": addr})
	fmt.Println(string(ready))

	if err := db.Run(ctx); err != nil {
		fail("run: %v", err)
	}
}

// start binds the given port, or a free one. Another process may take a free port
// between our probe and FerretDB's bind, and a given port may not be released yet, so a
// few attempts are made.
func start(logger *slog.Logger, host string, port int, dir string) (*ferretdb.FerretDB, string, error) {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		addr := net.JoinHostPort(host, fmt.Sprint(port))
		if port == 0 {
			free, err := freeAddress(host)
			if err != nil {
				return nil, "", err
			}
			addr = free
		}
		db, err := ferretdb.New(&ferretdb.Config{
			Listener:  ferretdb.ListenerConfig{TCP: addr},
			Logger:    logger,
			Handler:   "sqlite",
			SQLiteURL: "file:" + dir + "/",
		})
		if err == nil {
			return db, addr, nil
		}
		lastErr = err
		if port != 0 {
			// The previous holder of a given port may still be letting it go.
			time.Sleep(200 * time.Millisecond)
		}
	}
	return nil, "", lastErr
}

func freeAddress(host string) (string, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func parseLevel(s string) slog.Level {
	var level slog.Level
	if err := level.UnmarshalText([]byte(s)); err != nil {
		return slog.LevelWarn
	}
	return level
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "embedded-db: "+format+"\n", args...)
	os.Exit(1)
}
