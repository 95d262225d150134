// AttentionCommand.swift — `walkthrough attention DIR TEXT`: every head's attention over a text, as heatmaps.
//
//   walkthrough attention run "ROMEO: What say you?"                 every layer and head
//   walkthrough attention run "ROMEO: What say you?" --layers 0,3 --heads 1 --scale log
//
// Row i is the token looking; column j is a token it may look at (j ≤ i: the
// mask hides the future). Layers and heads count from 0, as in the tour.
//
// Depends on: GPT (GPTModel.forward with outputAttentions), NDArray (Heatmap), TokenizerFolder.swift,
// GenerateCommand.swift (loadCheckpoint).

import Foundation
import GPT
import NDArray

let attentionUsage = """
    walkthrough attention DIR TEXT [options]

      DIR                 a checkpoint folder: ours, or a Hugging Face GPT-2 folder
      TEXT                the text whose attention to show (at most the model's context of tokens)
      --layers LIST       the layers to show, e.g. 0,2 (default: all; counted from 0)
      --heads LIST        the heads to show in each (default: all; counted from 0)
      --scale KIND        linear (default) or log: log brings out structure beside an attention sink
      --per-row           scale each row to its own range
      --width N           fit N columns (default: the terminal's COLUMNS, or 80)
      --color WHEN        auto (default: on a colour terminal without NO_COLOR), always or never
    """

/// `attention DIR TEXT [options]`.
func attentionCommand(_ arguments: [String]) {
    let (positional, options) = parseOptions("attention", arguments,
                                             known: ["--layers", "--heads", "--scale", "--width", "--color"],
                                             flags: ["--per-row"])
    guard positional.count == 2 else {
        commandUsageError("attention", "expected a checkpoint folder and a TEXT, got \(positional.count) arguments")
    }
    let (model, tokenizer) = loadCheckpoint("attention", positional[0])
    let config = model.config
    let layers = indexList("--layers", options["--layers"], count: config.numLayers, what: "layers")
    let heads = indexList("--heads", options["--heads"], count: config.numHeads, what: "heads")
    var map = Heatmap()
    switch options["--scale"] ?? "linear" {
    case "linear": map.scale = .linear
    case "log": map.scale = .log
    case let other: commandUsageError("attention", "--scale \(other): expected linear or log")
    }
    switch options["--color"] ?? "auto" {
    case "auto": map.color = .automatic
    case "always": map.color = .ansi256
    case "never": map.color = .plain
    case let other: commandUsageError("attention", "--color \(other): expected auto, always or never")
    }
    map.perRowScaling = options["--per-row"] != nil
    map.width = count("attention", options, "--width", in: 20...10_000)

    let ids: [Int]
    do {
        ids = try tokenizer.encode(positional[1])
    } catch {
        inputError("attention", "the text cannot be encoded: \(error)")
    }
    guard !ids.isEmpty else { inputError("attention", "the text is empty") }
    guard ids.count <= config.maxSeqLen else {
        inputError("attention", "the text is \(ids.count) tokens, more than the model's context of \(config.maxSeqLen)")
    }
    let labels = ids.map { tokenizer.label($0) }
    let weights = model.forward(NDArray(shape: [1, ids.count], scalars: ids), outputAttentions: true).attentions
    print("\(ids.count) tokens: " + labels.joined(separator: " "))
    print("row = the token looking, column = where it looks; each row sums to 1")
    for layer in layers {
        for head in heads {
            map.rowLabels = labels
            map.columnLabels = labels
            map.title = "layer \(layer), head \(head):"
            print("")
            print(map.render(weights[layer][0, head]))                 // [B, NH, T, T] → [T, T]
        }
    }
}

/// "0,2" as [0, 2], each in 0..<count; nil gives them all. A bad list exits 2.
func indexList(_ option: String, _ text: String?, count: Int, what: String) -> [Int] {
    guard let text else { return Array(0..<count) }
    var indices: [Int] = []
    for part in text.split(separator: ",", omittingEmptySubsequences: false) {
        guard let index = Int(part.trimmingCharacters(in: .whitespaces)), (0..<count).contains(index) else {
            commandUsageError("attention", "\(option) \(text): the model has \(what) 0…\(count - 1)")
        }
        if !indices.contains(index) { indices.append(index) }
    }
    return indices
}
