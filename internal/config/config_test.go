package config_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tendcare/tend/internal/config"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoad(t *testing.T) {
	t.Run("Defaults", func(t *testing.T) {
		c, _, err := config.Load("serve", nil, env(nil), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != "127.0.0.1:8080" || c.DataDir != "./tend-data" || c.DB != "sqlite:tend-data/tend.db" || !c.Migrate || c.Demo || c.MaxBodyBytes != 1<<20 || c.PruneEvery != time.Hour {
			t.Errorf("defaults = %+v", c)
		}
		if c.KeyFile != filepath.Join("tend-data", "tend.key") || c.LogFormat != "json" {
			t.Errorf("key file %q, log format %q", c.KeyFile, c.LogFormat)
		}
	})
	t.Run("FlagsWinOverEnvironment", func(t *testing.T) {
		c, _, err := config.Load("serve", []string{"--addr", ":9000", "--demo"}, env(map[string]string{"TEND_ADDR": ":7000", "TEND_DATA": "/srv/tend"}), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.Addr != ":9000" || c.DataDir != "/srv/tend" || !c.Demo || c.LogFormat != "text" {
			t.Errorf("got %+v", c)
		}
	})
	t.Run("SecretFromFile", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "db")
		if err := os.WriteFile(p, []byte("postgres://tend:s3cret@db/tend\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, _, err := config.Load("serve", nil, env(map[string]string{"TEND_DB_FILE": p}), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c.DB != "postgres://tend:s3cret@db/tend" {
			t.Errorf("DB = %q", c.DB)
		}
	})
	t.Run("TrustedProxies", func(t *testing.T) {
		c, _, err := config.Load("serve", nil, env(map[string]string{"TEND_TRUSTED_PROXIES": "10.0.0.0/8, 192.168.1.7,::1"}), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.TrustedProxies) != 3 || c.TrustedProxies[1].String() != "192.168.1.7/32" {
			t.Errorf("proxies = %v", c.TrustedProxies)
		}
	})
	bad := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"ErrHTTPPublicURL", nil, map[string]string{"TEND_PUBLIC_URL": "http://tend.example.org"}, "--public-url (TEND_PUBLIC_URL): must use https"},
		{"ErrRelativePublicURL", nil, map[string]string{"TEND_PUBLIC_URL": "tend.example.org"}, "not an absolute URL"},
		{"ErrDB", []string{"--db", "mysql://x"}, nil, "--db (TEND_DB): must start with sqlite: or postgres://"},
		{"ErrProxy", nil, map[string]string{"TEND_TRUSTED_PROXIES": "proxy.local"}, "--trusted-proxies (TEND_TRUSTED_PROXIES)"},
		{"ErrBool", nil, map[string]string{"TEND_MIGRATE": "maybe"}, "--migrate (TEND_MIGRATE): \"maybe\" is not true or false"},
		{"ErrDuration", nil, map[string]string{"TEND_PRUNE_EVERY": "-1s"}, "--prune-every (TEND_PRUNE_EVERY)"},
		{"ErrTLSHalf", []string{"--tls-cert", "c.pem"}, nil, "set both --tls-cert and --tls-key"},
		{"ErrSecretTwice", nil, map[string]string{"TEND_DB": "sqlite:x", "TEND_DB_FILE": "/x"}, "TEND_DB and TEND_DB_FILE are both set"},
		{"ErrSmallBody", nil, map[string]string{"TEND_MAX_BODY": "10"}, "--max-body"},
		{"ErrBackupDirOnPostgres", nil, map[string]string{"TEND_DB": "postgres://db/tend", "TEND_BACKUP_DIR": "/backups"}, "--backup-dir (TEND_BACKUP_DIR): scheduled backups are for SQLite; on PostgreSQL use pg_dump"},
		{"ErrBackupKeysBesideDatabase", nil, map[string]string{"TEND_BACKUP_DIR": "/backups/tend", "TEND_BACKUP_KEYS_DIR": "/backups/tend/"}, "--backup-keys-dir (TEND_BACKUP_KEYS_DIR): must differ from --backup-dir"},
		{"ErrBackupKeep", nil, map[string]string{"TEND_BACKUP_KEEP": "0"}, "--backup-keep"},
		{"ErrJobRescueUnderAMinute", nil, map[string]string{"TEND_JOB_RESCUE_AFTER": "30s"}, "--job-rescue-after (TEND_JOB_RESCUE_AFTER): \"30s\" is not a duration of at least 1m"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := config.Load("serve", tt.args, env(tt.env), io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}
