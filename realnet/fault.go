package realnet

import (
	"context"
	"fmt"
	"time"

	"github.com/reconnbench/reconnbench/netsim"
)

// Inject applies fault f to the real server, as its netsim counterpart does
// to a netsim.Server: the server goes down, stays down for downtime and
// comes back as a fresh process. It returns when the new process serves,
// or early with ctx's error, leaving the server down.
//
//   - netsim.Crash: SIGKILL.
//   - netsim.Graceful: SIGTERM, so the process stops gracefully; whatever
//     still runs when the downtime ends gets SIGKILL.
//   - netsim.Blackhole: the proxy silences every connection and the process
//     is killed behind it; dials reach the proxy but go unanswered.
//   - netsim.Flap: Crash, Times times, Up apart.
func (s *Server) Inject(ctx context.Context, f netsim.Fault, downtime time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil {
		return fmt.Errorf("realnet: inject %s: no server process is serving", f.Name())
	}
	switch f := f.(type) {
	case netsim.Crash:
		s.crash()
		return s.after(ctx, downtime)
	case netsim.Graceful:
		kill := s.terminate()
		err := sleep(ctx, downtime)
		kill()
		if err != nil {
			return err
		}
		return s.up(ctx)
	case netsim.Blackhole:
		if err := s.vanish(); err != nil {
			return err
		}
		if err := s.after(ctx, downtime); err != nil {
			return err
		}
		s.proxy.Restore()
		return nil
	case netsim.Flap:
		for i := 0; i < f.Times; i++ {
			if i > 0 {
				if err := sleep(ctx, f.Up); err != nil {
					s.crash()
					return err
				}
			}
			s.crash()
			if err := s.after(ctx, downtime); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("realnet: fault %q has no real-network counterpart", f.Name())
}

// after waits for the downtime and brings up a fresh process.
func (s *Server) after(ctx context.Context, downtime time.Duration) error {
	if err := sleep(ctx, downtime); err != nil {
		return err
	}
	return s.up(ctx)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
