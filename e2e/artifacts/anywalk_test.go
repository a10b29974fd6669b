package artifacts

import (
	"fmt"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/anypb"
)

// validator is what protoc-gen-validate generates for Envoy's messages.
type validator interface{ ValidateAll() error }

// resolveAnys unpacks every google.protobuf.Any reachable from m, depth
// first and into the unpacked messages too (listener → HCM → HTTP filter →
// plugin configuration), and checks each unpacked message against its
// protoc-gen-validate rules, which a Bootstrap's ValidateAll does not apply
// across an Any. It returns the type URLs in the order it met them.
func resolveAnys(m protoreflect.Message) ([]string, error) {
	var typeURLs []string
	err := walkFields(m, string(m.Descriptor().Name()), &typeURLs)
	return typeURLs, err
}

func walkFields(m protoreflect.Message, path string, typeURLs *[]string) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		at := path + "." + string(fd.Name())
		switch {
		case fd.IsMap():
			if fd.MapValue().Message() == nil {
				return true
			}
			v.Map().Range(func(k protoreflect.MapKey, mv protoreflect.Value) bool {
				err = visitMessage(mv.Message(), fmt.Sprintf("%s[%v]", at, k.Interface()), typeURLs)
				return err == nil
			})
		case fd.IsList():
			if fd.Message() == nil {
				return true
			}
			list := v.List()
			for i := 0; i < list.Len() && err == nil; i++ {
				err = visitMessage(list.Get(i).Message(), fmt.Sprintf("%s[%d]", at, i), typeURLs)
			}
		case fd.Message() != nil:
			err = visitMessage(v.Message(), at, typeURLs)
		}
		return err == nil
	})
	return err
}

func visitMessage(m protoreflect.Message, path string, typeURLs *[]string) error {
	a, ok := m.Interface().(*anypb.Any)
	if !ok {
		return walkFields(m, path, typeURLs)
	}
	inner, err := a.UnmarshalNew()
	if err != nil {
		return fmt.Errorf("%s (%s): %w", path, a.GetTypeUrl(), err)
	}
	*typeURLs = append(*typeURLs, a.GetTypeUrl())
	if v, ok := inner.(validator); ok {
		if err := v.ValidateAll(); err != nil {
			return fmt.Errorf("%s (%s): %w", path, a.GetTypeUrl(), err)
		}
	}
	return walkFields(inner.ProtoReflect(), path+"<"+string(inner.ProtoReflect().Descriptor().Name())+">", typeURLs)
}
