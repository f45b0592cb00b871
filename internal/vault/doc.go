// Package vault owns field encryption: it seals free text with AES-256-GCM
// under a per-person data key (or the service records key), bound to its
// table, column and row, and it wraps those data keys with the service key.
// It must never write a plaintext key or field anywhere (no logs, no store,
// no errors), and it never touches SQL or HTTP: keys live behind KeyStore.
package vault
