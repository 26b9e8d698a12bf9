package realnet

import (
	"context"
	"errors"
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
//   - netsim.Move: the new address (Config.MoveTo, at the same port) is
//     announced (Config.OnMove), then Crash; the fresh process listens at
//     the new address, and dials to the old one are refused.
//   - netsim.Rotate: nothing goes down. The process's connection-age limit
//     (Config.Age) rotates its client's connection: Inject waits for the
//     process to report its first GOAWAY, which is the fault's instant
//     (OnStrike), or that it rotated nothing, and returns downtime, the
//     grace period, after it.
//
// Restarts follow the fault's schedule counted from the call, as netsim's
// do, so that the time a kill or a start takes is not added to the next
// step: a process that starts late shortens the up period that follows it
// rather than delaying everything after.
func (s *Server) Inject(ctx context.Context, f netsim.Fault, downtime time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil {
		return fmt.Errorf("realnet: inject %s: no server process is serving", f.Name())
	}
	s.hookMu.Lock()
	s.struck = false
	s.hookMu.Unlock()
	t0 := time.Now()
	if _, later := f.(netsim.Rotate); !later {
		s.strike(t0)
	}
	switch f := f.(type) {
	case netsim.Crash:
		s.crash()
		return s.upAt(ctx, t0.Add(downtime))
	case netsim.Graceful:
		kill := s.terminate()
		err := sleepUntil(ctx, t0.Add(downtime))
		kill()
		if err != nil {
			return err
		}
		return s.up(ctx)
	case netsim.Move:
		if err := s.move(); err != nil {
			return err
		}
		s.crash()
		return s.upAt(ctx, t0.Add(downtime))
	case netsim.Blackhole:
		if err := s.vanish(); err != nil {
			return err
		}
		if err := s.upAt(ctx, t0.Add(downtime)); err != nil {
			return err
		}
		s.proxy.Restore()
		return nil
	case netsim.Flap:
		for i := 0; i < f.Times; i++ {
			crashAt := t0.Add(time.Duration(i) * (downtime + f.Up))
			err := sleepUntil(ctx, crashAt)
			s.crash() // also when ctx ended: Inject leaves the server down
			if err != nil {
				return err
			}
			if err := s.upAt(ctx, crashAt.Add(downtime)); err != nil {
				return err
			}
		}
		return nil
	case netsim.Rotate:
		if s.cfg.Age.Max <= 0 {
			return errors.New("realnet: rotate: the server processes have no connection-age limit (Config.Age)")
		}
		at, nothing, err := s.current.rotation(ctx)
		if err != nil {
			return err
		}
		s.current.rotatedNothing = nothing
		s.strike(at)
		return sleepUntil(ctx, at.Add(downtime))
	}
	return fmt.Errorf("realnet: fault %q has no real-network counterpart", f.Name())
}

// upAt waits until t and brings up a fresh process.
func (s *Server) upAt(ctx context.Context, t time.Time) error {
	if err := sleepUntil(ctx, t); err != nil {
		return err
	}
	return s.up(ctx)
}

func sleepUntil(ctx context.Context, deadline time.Time) error {
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
