/**
 * `loom bert …`: the BERT commands as one group (`loom bert pretrain`, and the fine-tuning commands
 * beside it). Each subcommand lives in its own file and registers itself on the group here.
 */
import type { Command } from "commander";
import { registerBertFinetuneCommand } from "./bert-finetune.js";
import { registerBertPretrainCommand } from "./bert-pretrain.js";

/** Adds the `bert` group and its subcommands to the program; returns the group. */
export function registerBertCommands(program: Command): Command {
  const bert = program.command("bert").description("BERT: pretrain an encoder (MLM, NSP, SOP) and fine-tune it");
  registerBertPretrainCommand(bert);
  registerBertFinetuneCommand(bert);
  return bert;
}
