// Command tend runs Tend: the web server and the operator's subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/tendcare/tend"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "tend:", err)
		}
		os.Exit(1)
	}
}

const usage = `Tend supports therapy for people who self-harm.

Usage: tend <command> [flags]

Commands:
  serve      run the web server (--demo for made-up data)
  migrate    bring the database schema up to date
  setup      set the service's first settings (flags, a file, or questions)
  keys init  create the service key file
  audit      verify: check that no audit event was changed or deleted
  user       create, reset, reset-mfa, disable: staff accounts
  invite     make a single-use invite code for a person
  export     outcomes (de-identified figures) or person (a FHIR Bundle for a transfer)
  demo-data  fill a demo database with made-up people and their diary cards
  backup     write a checked copy of the database (--to) or key store (--keys-to)
  restore    restore a backup (--from, --keys-from) and re-apply the erasure ledger
  version    print the version

Run 'tend <command> -h' for a command's flags. Every flag also has a TEND_*
environment variable; see the README.
`

// run is the whole program, with its environment passed in, so tests can
// start Tend in-process.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, getenv, stdout, stderr)
	case "setup":
		return runSetup(ctx, rest, getenv, stdin, stdout, stderr)
	case "keys":
		return runKeys(rest, getenv, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, getenv, stdout, stderr)
	case "user":
		return runUser(ctx, rest, getenv, stdin, stdout, stderr)
	case "invite":
		return runInvite(ctx, rest, getenv, stdout, stderr)
	case "export":
		return runExport(ctx, rest, getenv, stdout, stderr)
	case "demo-data":
		return runDemoData(ctx, rest, getenv, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, getenv, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, getenv, stdout, stderr)
	case "version":
		fmt.Fprintf(stdout, "tend %s (%s, %s/%s)\n", tend.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
