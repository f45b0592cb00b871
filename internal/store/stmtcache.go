package store

import (
	"context"
	"database/sql"
	"sync"
)

// SQLite parses every statement it is given: for a small write, parsing the
// unit of work's statements costs about a third of its time. stmtCache
// keeps each distinct query text prepared, per pool, so a statement is
// parsed once per connection and reused (PostgreSQL's driver keeps its own
// cache, so there the cache is nil and queries go straight through).
type stmtCache struct {
	pool *sql.DB
	mu   sync.Mutex
	m    map[string]*sql.Stmt
	// wanted are queries run unprepared, waiting to be prepared in the
	// background: preparing waits for a free connection, which the caller
	// may be holding (the SQLite writer's only one, held by the unit of
	// work that asks), so it never happens on the caller's path.
	wanted    map[string]bool
	preparing bool
	closed    bool
	// preparer is the background preparation running, if any: close waits
	// for it, so no connection is still in use once the store has closed.
	preparer sync.WaitGroup
}

// maxCachedStmts bounds the cache: the store's query texts are fixed, apart
// from a few built for a number of rows, so the bound is never reached in
// normal use; past it, queries are simply not cached.
const maxCachedStmts = 2000

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
}

// stmt returns query prepared on the pool, or nil to run it unprepared
// this time (no cache, not prepared yet, a full cache, or a statement that
// does not prepare: running it directly reports its error as usual).
func (c *stmtCache) stmt(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s, ok := c.m[query]; ok {
		return s
	}
	if c.closed || len(c.m)+len(c.wanted) >= maxCachedStmts {
		return nil
	}
	c.wanted[query] = true
	if !c.preparing {
		c.preparing = true
		c.preparer.Add(1)
		go c.prepareWanted()
	}
	return nil
}

// prepareWanted prepares the wanted queries until none is left.
func (c *stmtCache) prepareWanted() {
	defer c.preparer.Done()
	for {
		c.mu.Lock()
		var queries []string
		for q := range c.wanted {
			queries = append(queries, q)
		}
		clear(c.wanted)
		if len(queries) == 0 || c.closed {
			c.preparing = false
			c.mu.Unlock()
			return
		}
		c.mu.Unlock()
		for _, q := range queries {
			s, err := c.pool.PrepareContext(context.Background(), q)
			if err != nil {
				continue
			}
			c.mu.Lock()
			if _, ok := c.m[q]; ok || c.closed {
				_ = s.Close() //nolint:sqlclosecheck // a duplicate of a cached statement, closed at once
			} else {
				c.m[q] = s
			}
			c.mu.Unlock()
		}
	}
}

// close closes every cached statement and waits for a background
// preparation to stop; later queries run unprepared.
func (c *stmtCache) close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	c.closed = true
	for _, s := range c.m {
		_ = s.Close()
	}
	c.m = map[string]*sql.Stmt{}
	c.mu.Unlock()
	c.preparer.Wait()
}

// sqlDB is a pool whose queries use the statement cache.
type sqlDB struct {
	*sql.DB
	cache *stmtCache
}

// inUnit returns the transaction of an outer unit of work (DB.Within)
// that ctx carries for this pool's database, so that reads made inside it
// see what it has written; nil outside one.
func (d sqlDB) inUnit(ctx context.Context) *sqlTx {
	u, _ := ctx.Value(unitKey{}).(*unit)
	if u == nil || u.tx.db.read.DB != d.DB {
		return nil
	}
	return &u.tx.tx
}

func (d sqlDB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if t := d.inUnit(ctx); t != nil {
		return t.ExecContext(ctx, query, args...)
	}
	if s := d.cache.stmt(query); s != nil { //nolint:sqlclosecheck // cached: closed with the cache when the store closes
		return s.ExecContext(ctx, args...)
	}
	return d.DB.ExecContext(ctx, query, args...)
}

func (d sqlDB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if t := d.inUnit(ctx); t != nil {
		return t.QueryContext(ctx, query, args...)
	}
	if s := d.cache.stmt(query); s != nil { //nolint:sqlclosecheck // cached: closed with the cache when the store closes
		return s.QueryContext(ctx, args...)
	}
	return d.DB.QueryContext(ctx, query, args...)
}

func (d sqlDB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if t := d.inUnit(ctx); t != nil {
		return t.QueryRowContext(ctx, query, args...)
	}
	if s := d.cache.stmt(query); s != nil { //nolint:sqlclosecheck // cached: closed with the cache when the store closes
		return s.QueryRowContext(ctx, args...)
	}
	return d.DB.QueryRowContext(ctx, query, args...)
}

// sqlTx is a transaction whose queries use the write pool's statement
// cache: a statement already prepared on the transaction's connection is
// reused.
type sqlTx struct {
	*sql.Tx
	cache *stmtCache
}

func (t sqlTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.cache.stmt(query); s != nil {
		return t.StmtContext(ctx, s).ExecContext(ctx, args...) //nolint:sqlclosecheck // the transaction closes its statements when it ends
	}
	return t.Tx.ExecContext(ctx, query, args...)
}

func (t sqlTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.cache.stmt(query); s != nil {
		return t.StmtContext(ctx, s).QueryContext(ctx, args...) //nolint:sqlclosecheck // the transaction closes its statements when it ends
	}
	return t.Tx.QueryContext(ctx, query, args...)
}

func (t sqlTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.cache.stmt(query); s != nil {
		return t.StmtContext(ctx, s).QueryRowContext(ctx, args...) //nolint:sqlclosecheck // the transaction closes its statements when it ends
	}
	return t.Tx.QueryRowContext(ctx, query, args...)
}
