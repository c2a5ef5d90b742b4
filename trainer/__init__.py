"""Python training side of hashtag-rec: BERT masked-LM training, export to HF/ONNX (see README.md)."""
