//go:build !linux

package host

import "context"

// withReservedMemory keeps wazero's default memory, which copies itself
// when it grows, where the Linux reservation is not available.
func withReservedMemory(ctx context.Context) context.Context { return ctx }
