package zones

import (
	"fmt"
	"reflect"
	"strings"

	"gopkg.in/yaml.v3"
)

// The embedded tables are decoded from yaml.Node trees rather than by yaml.Unmarshal
// into structs: every node keeps its line, so each problem (a key no field names, a
// word where a number is expected) is reported where it is written, in French.

// nodeError is a problem at one line of a YAML document; at names the file.
type nodeError struct {
	line   int
	reason string
}

func (e *nodeError) Error() string { return fmt.Sprintf("ligne %d : %s", e.line, e.reason) }

func (e *nodeError) at(file string) *DataError { return &DataError{file, e.line, e.reason} }

// nodeDecoder is a document type that reads its own node (a code with its line, a
// text that may also be a table).
type nodeDecoder interface {
	decodeNode(n *yaml.Node) error
}

var nodeDecoderType = reflect.TypeFor[nodeDecoder]()

// decodeNode fills v, a pointer, from n: a mapping into a struct through the fields'
// yaml tags, refusing a key no field names or one written twice; a sequence into a
// slice; a scalar into a string, number or boolean. It returns a *nodeError.
func decodeNode(n *yaml.Node, v any) error {
	return decodeValue(n, reflect.ValueOf(v).Elem())
}

func decodeValue(n *yaml.Node, v reflect.Value) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return decodeValue(n.Content[0], v)
	case yaml.AliasNode:
		return decodeValue(n.Alias, v)
	}
	if v.CanAddr() && v.Addr().Type().Implements(nodeDecoderType) {
		return v.Addr().Interface().(nodeDecoder).decodeNode(n)
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := decodeValue(n, p.Elem()); err != nil {
			return err
		}
		v.Set(p)
		return nil
	case reflect.Struct:
		return decodeStruct(n, v)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return &nodeError{n.Line, "liste attendue"}
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, item := range n.Content {
			if err := decodeValue(item, s.Index(i)); err != nil {
				return err
			}
		}
		v.Set(s)
		return nil
	}
	if n.Kind != yaml.ScalarNode {
		return &nodeError{n.Line, "valeur simple attendue"}
	}
	if err := n.Decode(v.Addr().Interface()); err != nil {
		return &nodeError{n.Line, fmt.Sprintf("« %s » : %s attendu", n.Value, scalarWord(v.Kind()))}
	}
	return nil
}

func decodeStruct(n *yaml.Node, v reflect.Value) error {
	if n.Kind != yaml.MappingNode {
		return &nodeError{n.Line, "table attendue"}
	}
	fields := map[string]int{}
	for i := range v.NumField() {
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		f, ok := fields[k.Value]
		if !ok {
			return &nodeError{k.Line, fmt.Sprintf("champ inconnu « %s »", k.Value)}
		}
		if line, dup := seen[k.Value]; dup {
			return &nodeError{k.Line, fmt.Sprintf("champ « %s » en double (déjà ligne %d)", k.Value, line)}
		}
		seen[k.Value] = k.Line
		if err := decodeValue(val, v.Field(f)); err != nil {
			return err
		}
	}
	return nil
}

func scalarWord(k reflect.Kind) string {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "un nombre entier"
	case reflect.Float32, reflect.Float64:
		return "un nombre"
	case reflect.Bool:
		return "true ou false"
	}
	return "un texte"
}
