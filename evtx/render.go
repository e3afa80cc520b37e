package evtx

import (
	"errors"
	"strings"
)

// maxRenderNodes bounds the elements and text items one record may render
// to: templates that instance each other can otherwise expand
// exponentially ("billion laughs").
const maxRenderNodes = 1 << 16

var errExpansion = errors.New("BinXML expands to too many nodes")

// renderer instantiates parsed BinXML with a budget.
type renderer struct {
	budget int
}

// render instantiates parsed BinXML nodes with their substitution values
// into Elements appended to parent.
func (r *renderer) render(parent *element, nodes []tnode, vals []value, depth int) error {
	if depth > maxDepth {
		return errDepth
	}
	for i := range nodes {
		n := &nodes[i]
		if r.budget--; r.budget < 0 {
			return errExpansion
		}
		switch n.kind {
		case nodeText:
			parent.Text += n.text
		case nodeEntity:
			parent.Text += entity(n.name)
		case nodeSubst:
			if int(n.subID) >= len(vals) {
				continue
			}
			v := vals[n.subID]
			if v.typ == vtBinXML {
				if err := r.render(parent, v.nodes, nil, depth+1); err != nil {
					return err
				}
				if v.err != nil {
					return v.err
				}
				continue
			}
			parent.Text += strings.Join(v.strings(), ", ")
		case nodeInstance:
			if err := r.render(parent, n.inst.tmpl.root, n.inst.values, depth+1); err != nil {
				return err
			}
		case nodeElement:
			if err := r.renderElement(parent, n, vals, depth); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *renderer) renderElement(parent *element, n *tnode, vals []value, depth int) error {
	attrs := make([]attr, 0, len(n.attrs))
	for _, a := range n.attrs {
		s, present := attrValue(a.value, vals)
		if present {
			attrs = append(attrs, attr{Name: a.name, Value: s})
		}
	}
	// An element whose only content is an array substitution is repeated
	// once per item, as Event Viewer shows classic insertion strings.
	// An element whose only content is a NULL value is left out, as
	// libevtx and Event Viewer do.
	if len(n.children) == 1 && n.children[0].kind == nodeSubst {
		id := int(n.children[0].subID)
		if id < len(vals) && vals[id].typ == vtNull {
			return nil
		}
		if id < len(vals) && vals[id].typ&vtArray != 0 {
			for _, s := range vals[id].strings() {
				parent.Children = append(parent.Children, &element{Name: n.name, Attrs: attrs, Text: s})
			}
			return nil
		}
	}
	el := &element{Name: n.name, Attrs: attrs}
	parent.Children = append(parent.Children, el)
	return r.render(el, n.children, vals, depth+1)
}

// attrValue renders an attribute's value; an attribute made only of
// optional substitutions that are empty is absent.
func attrValue(items []tnode, vals []value) (string, bool) {
	var sb strings.Builder
	present := false
	for _, it := range items {
		switch it.kind {
		case nodeText:
			sb.WriteString(it.text)
			present = true
		case nodeEntity:
			sb.WriteString(entity(it.name))
			present = true
		case nodeSubst:
			if int(it.subID) >= len(vals) {
				continue
			}
			v := vals[it.subID]
			if it.optional && (v.typ == vtNull || len(v.raw) == 0) {
				continue
			}
			sb.WriteString(strings.Join(v.strings(), ", "))
			present = true
		}
	}
	return sb.String(), present
}

func entity(name string) string {
	switch name {
	case "amp":
		return "&"
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "quot":
		return "\""
	case "apos":
		return "'"
	}
	return "&" + name + ";"
}
