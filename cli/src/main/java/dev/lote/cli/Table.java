package dev.lote.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Plain-text columns, each as wide as its widest cell, two spaces apart; the last column is not
 * padded. In a listing (with headers) a cell over {@link #MAX_CELL} characters is cut.
 */
final class Table {

  /** Listing cells wider than this are cut, with "..." at the end. */
  static final int MAX_CELL = 60;

  /** {@code headers} may be null: the rows alone (a property list). */
  static String render(List<String> headers, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    if (headers != null) {
      all.add(headers);
    }
    for (List<String> row : rows) {
      all.add(headers == null ? row : row.stream().map(Table::cut).toList());
    }
    if (all.isEmpty()) {
      return "";
    }
    int columns = all.stream().mapToInt(List::size).max().orElse(0);
    int[] width = new int[columns];
    for (List<String> row : all) {
      for (int i = 0; i < row.size(); i++) {
        width[i] = Math.max(width[i], row.get(i).length());
      }
    }
    StringBuilder sb = new StringBuilder();
    for (List<String> row : all) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(row.get(i));
        if (i < row.size() - 1) {
          line.append(" ".repeat(width[i] - row.get(i).length() + 2));
        }
      }
      sb.append(line.toString().stripTrailing()).append('\n');
    }
    return sb.toString();
  }

  private static String cut(String cell) {
    return cell.length() <= MAX_CELL ? cell : cell.substring(0, MAX_CELL - 3) + "...";
  }

  private Table() {}
}
