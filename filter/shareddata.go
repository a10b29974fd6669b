package filter

import (
	"errors"
	"fmt"

	"github.com/mcp-oauth-wasm/mcp-oauth-wasm/jwks"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm"
	"github.com/proxy-wasm/proxy-wasm-go-sdk/proxywasm/types"
)

// sharedData is jwks.Store over the proxy's shared data.
type sharedData struct{}

func (sharedData) Get(key string) ([]byte, uint32, error) {
	v, cas, err := proxywasm.GetSharedData(key)
	switch {
	case err == nil:
		return v, cas, nil
	case errors.Is(err, types.ErrorStatusNotFound):
		return nil, 0, fmt.Errorf("%w: %s", jwks.ErrStoreNotFound, key)
	default:
		return nil, 0, err
	}
}

func (sharedData) Set(key string, value []byte, cas uint32) error {
	err := proxywasm.SetSharedData(key, value, cas)
	if errors.Is(err, types.ErrorStatusCasMismatch) {
		return fmt.Errorf("%w: %s", jwks.ErrStoreCasMismatch, key)
	}
	return err
}
