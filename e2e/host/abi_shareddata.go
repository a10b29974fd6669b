package host

// proxyGetSharedData copies the value out and writes its cas (cpp-host
// src/exports.cc get_shared_data).
func proxyGetSharedData(vm *VM, s []uint64) {
	key, ok := vm.readString(uint32(s[0]), uint32(s[1]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	v, cas, st := vm.h.shared.Get(vm.cfg.VMID, key)
	if st != StatusOK {
		ret(s, st)
		return
	}
	if st := copyOut(vm, v, uint32(s[2]), uint32(s[3])); st != StatusOK {
		ret(s, st)
		return
	}
	if !vm.writeU32(uint32(s[4]), cas) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}

// proxySetSharedData: cpp-host src/shared_data.cc SharedData::set.
func proxySetSharedData(vm *VM, s []uint64) {
	key, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	val, ok2 := vm.read(uint32(s[2]), uint32(s[3]))
	if !ok1 || !ok2 {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, vm.h.shared.Set(vm.cfg.VMID, key, val, uint32(s[4])))
}

// proxyRegisterSharedQueue registers on the root context (cpp-host
// src/context.cc ContextBase::registerSharedQueue).
func proxyRegisterSharedQueue(vm *VM, s []uint64) {
	name, ok := vm.readString(uint32(s[0]), uint32(s[1]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	tok := vm.h.queues.register(vm, vm.rootID, name)
	if !vm.writeU32(uint32(s[2]), tok) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}

// proxyResolveSharedQueue: an empty vm_id means the caller's (cpp-host
// ContextBase::lookupSharedQueue).
func proxyResolveSharedQueue(vm *VM, s []uint64) {
	vmID, ok1 := vm.readString(uint32(s[0]), uint32(s[1]))
	name, ok2 := vm.readString(uint32(s[2]), uint32(s[3]))
	if !ok1 || !ok2 {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	if vmID == "" {
		vmID = vm.cfg.VMID
	}
	tok := vm.h.queues.tokens[[2]string{vmID, name}]
	if tok == 0 {
		ret(s, StatusNotFound)
		return
	}
	if !vm.writeU32(uint32(s[4]), tok) {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	ret(s, StatusOK)
}

// proxyDequeueSharedQueue: NotFound for an unknown token, Empty for an
// empty queue (cpp-host src/shared_queue.cc SharedQueue::dequeue).
func proxyDequeueSharedQueue(vm *VM, s []uint64) {
	q := vm.h.queues.queues[uint32(s[0])]
	if q == nil {
		ret(s, StatusNotFound)
		return
	}
	if len(q.items) == 0 {
		ret(s, StatusEmpty)
		return
	}
	item := q.items[0]
	q.items = q.items[1:]
	ret(s, copyOut(vm, item, uint32(s[1]), uint32(s[2])))
}

// proxyEnqueueSharedQueue appends and posts proxy_on_queue_ready to the
// registrant's root context (SharedQueue::enqueue → call_on_thread).
func proxyEnqueueSharedQueue(vm *VM, s []uint64) {
	tok := uint32(s[0])
	data, ok := vm.read(uint32(s[1]), uint32(s[2]))
	if !ok {
		ret(s, StatusInvalidMemoryAccess)
		return
	}
	q := vm.h.queues.queues[tok]
	if q == nil {
		ret(s, StatusNotFound)
		return
	}
	q.items = append(q.items, data)
	target, root := q.vm, q.rootID
	vm.h.Post(func() { target.queueReady(root, tok) })
	ret(s, StatusOK)
}
