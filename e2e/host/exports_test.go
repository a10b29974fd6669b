package host

import "testing"

// TestExportsAreResolvedOnce: a callback keeps its api.Function (and so its
// grown call stack) from call to call, a re-entrant call gets one of its
// own, and an export the module lacks is nil.
func TestExportsAreResolvedOnce(t *testing.T) {
	_, vm := newHost(t, Options{})
	vm.Request(reqHeaders("/a"), nil)
	first, done := vm.exported("proxy_on_memory_allocate")
	if first == nil {
		t.Fatal("proxy_on_memory_allocate not found")
	}
	inner, innerDone := vm.exported("proxy_on_memory_allocate")
	if inner == nil || inner == first {
		t.Fatal("a re-entrant call shares the running call's function")
	}
	innerDone()
	done()
	again, done := vm.exported("proxy_on_memory_allocate")
	done()
	if again != first {
		t.Fatal("the export was resolved again")
	}
	if fn, done := vm.exported("no_such_export"); fn != nil {
		t.Fatal("a missing export was found")
	} else {
		done()
	}
	vm.Request(reqHeaders("/b"), nil) // callbacks still work on the kept functions
	if got, _ := vm.h.Metric("testplugin_requests"); got != 2 {
		t.Fatalf("requests counted: %d, want 2", got)
	}
}
