import { z } from "zod";

/**
 * The fields of a model directory's `config.json` that serving reads (Hugging Face names;
 * the trainer writes the full BERT config, and unknown fields are kept).
 */
export const ModelConfigSchema = z
  .object({
    model_type: z.literal("bert"),
    vocab_size: z.number().int().positive(),
    hidden_size: z.number().int().positive(),
    num_hidden_layers: z.number().int().positive(),
    hashtag_token_offset: z.number().int().nonnegative(),
    num_hashtags: z.number().int().positive(),
    mask_token_id: z.number().int().nonnegative(),
    max_length: z.number().int().positive().default(64),
  })
  .passthrough()
  .refine((c) => c.hashtag_token_offset + c.num_hashtags <= c.vocab_size, {
    message: "hashtag_token_offset + num_hashtags must not exceed vocab_size",
  });

export type ModelConfig = z.infer<typeof ModelConfigSchema>;
