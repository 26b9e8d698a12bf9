package replay

import (
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/encoding"
)

// codecName is the codec's content subtype: requests travel as
// application/grpc+reconnbench-raw and the server picks the codec from the
// registry by that name, which every gRPC-Go release since v1.30 supports.
const codecName = "reconnbench-raw"

// rawCodec sends byte slices as they are, so that the service needs no
// generated protobuf code, which would pin a gRPC-Go release.
type rawCodec struct{}

func init() { encoding.RegisterCodec(rawCodec{}) }

func (rawCodec) Name() string { return codecName }

func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	switch m := v.(type) {
	case []byte:
		return m, nil
	case *[]byte:
		return *m, nil
	}
	return nil, fmt.Errorf("replay codec: cannot marshal %T, only []byte", v)
}

func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	p, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("replay codec: cannot unmarshal into %T, only *[]byte", v)
	}
	// gRPC may reuse data once Unmarshal returns.
	*p = append((*p)[:0], data...)
	return nil
}

// callOption makes a call use the raw codec.
var callOption = grpc.CallContentSubtype(codecName)
