"""Dynamic int8 quantization of an ONNX graph using only the `onnx` package.

Emits the pattern ONNX Runtime's own `quantize_dynamic` produces (and that ORT fuses into its
fast MatMulIntegerToFloat / DynamicQuantizeMatMul kernels):

  MatMul(x, W)  ->  DynamicQuantizeLinear(x) -> x_q (uint8), x_scale, x_zp
                    MatMulInteger(x_q, W_q (int8, symmetric per output column), x_zp, 0) -> int32
                    Cast(float) * (x_scale * W_scale)              [+ bias for a Gemm]
  Gather(E, ids) -> Gather(E_q (int8, one scale per row), ids) -> Cast(float) * Gather(E_scale, ids)

Only constant 2-D weights (initializers) with at least `min_size` elements are rewritten, so the
attention products (activation x activation) stay in float. Graph inputs and outputs keep their names.
"""
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def _symmetric(w, axis, qmax):
    """int8 values and float scales, one scale per slice along `axis` (keepdims)."""
    scale = np.abs(w).max(axis=axis, keepdims=True) / qmax
    scale = np.where(scale == 0, 1.0, scale).astype(np.float32)
    q = np.clip(np.round(w / scale), -qmax, qmax).astype(np.int8)
    return q, scale


class _Rewriter:
    def __init__(self, graph, min_size, reduce_range):
        self.inits = {i.name: i for i in graph.initializer}
        self.min_size, self.qmax = min_size, 63 if reduce_range else 127
        self.new_inits, self.nodes, self.dql = [], [], {}

    def weight(self, name):
        """The initializer as a float32 2-D array if it is worth quantizing, else None."""
        t = self.inits.get(name)
        if t is None or t.data_type != TensorProto.FLOAT or len(t.dims) != 2 or np.prod(t.dims) < self.min_size:
            return None
        return numpy_helper.to_array(t)

    def add_init(self, array, name):
        self.new_inits.append(numpy_helper.from_array(array, name))
        return name

    def quantized_input(self, x):
        if x not in self.dql:  # one DynamicQuantizeLinear per activation, shared by Q/K/V etc.
            self.dql[x] = (f"{x}_quantized", f"{x}_scale", f"{x}_zero_point")
            self.nodes.append(helper.make_node("DynamicQuantizeLinear", [x], list(self.dql[x]), name=f"{x}_QuantizeLinear"))
        return self.dql[x]

    def matmul(self, node, x, w, out):
        """Emit the integer pattern computing out = x @ w (w: [K, N] float)."""
        q, scale = _symmetric(w, axis=0, qmax=self.qmax)
        p = node.name or out
        wq = self.add_init(q, f"{p}_W_quantized")
        ws = self.add_init(scale.reshape(-1), f"{p}_W_scale")
        wz = self.add_init(np.zeros(q.shape[1], np.int8), f"{p}_W_zero_point")
        xq, xs, xz = self.quantized_input(x)
        self.nodes += [
            helper.make_node("MatMulInteger", [xq, wq, xz, wz], [f"{p}_out_int32"], name=f"{p}_MatMulInteger"),
            helper.make_node("Cast", [f"{p}_out_int32"], [f"{p}_out_cast"], to=TensorProto.FLOAT, name=f"{p}_Cast"),
            helper.make_node("Mul", [xs, ws], [f"{p}_scales"], name=f"{p}_ScalesMul"),
            helper.make_node("Mul", [f"{p}_out_cast", f"{p}_scales"], [out], name=f"{p}_OutMul"),
        ]

    def rewrite(self, node):
        attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "MatMul":
            w = self.weight(node.input[1])
            if w is not None:
                self.matmul(node, node.input[0], w, node.output[0])
                return True
        elif node.op_type == "Gemm" and attrs.get("alpha", 1.0) == 1.0 and not attrs.get("transA", 0):
            w = self.weight(node.input[1])
            if w is not None and (len(node.input) < 3 or attrs.get("beta", 1.0) == 1.0):
                w = w.T if attrs.get("transB", 0) else w
                has_bias = len(node.input) > 2 and node.input[2]
                mm = f"{node.name or node.output[0]}_matmul_out" if has_bias else node.output[0]
                self.matmul(node, node.input[0], w, mm)
                if has_bias:
                    self.nodes.append(helper.make_node("Add", [mm, node.input[2]], [node.output[0]], name=f"{mm}_Add"))
                return True
        elif node.op_type == "Gather" and attrs.get("axis", 0) == 0:
            w = self.weight(node.input[0])
            if w is not None:
                q, scale = _symmetric(w, axis=1, qmax=127)  # one scale per row (token)
                p = node.name or node.output[0]
                wq, ws = self.add_init(q, f"{p}_data_quantized"), self.add_init(scale, f"{p}_data_scale")
                self.nodes += [
                    helper.make_node("Gather", [wq, node.input[1]], [f"{p}_q"], axis=0, name=f"{p}_GatherQ"),
                    helper.make_node("Cast", [f"{p}_q"], [f"{p}_f"], to=TensorProto.FLOAT, name=f"{p}_Cast"),
                    helper.make_node("Gather", [ws, node.input[1]], [f"{p}_s"], axis=0, name=f"{p}_GatherScale"),
                    helper.make_node("Mul", [f"{p}_f", f"{p}_s"], [node.output[0]], name=f"{p}_Dequantize"),
                ]
                return True
        return False


def quantize_dynamic(model, min_size=4096, reduce_range=False):
    """Return a new ModelProto with large MatMul/Gemm weights and embedding tables in int8.

    reduce_range=True keeps weights in 7 bits (ORT's option for x86 CPUs without VNNI, where
    u8 x s8 products can saturate)."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    g = model.graph
    rw = _Rewriter(g, min_size, reduce_range)
    for node in g.node:
        if not rw.rewrite(node):
            rw.nodes.append(node)
    used = {i for n in rw.nodes for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.node[:]
    g.node.extend(rw.nodes)
    del g.initializer[:]
    g.initializer.extend(kept + rw.new_inits)
    if not any(o.domain in ("", "ai.onnx") and o.version >= 11 for o in model.opset_import):
        raise ValueError("int8 quantization needs opset >= 11")
    return model
