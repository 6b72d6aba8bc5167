package dev.lote.support.web;

import jakarta.servlet.http.HttpServletRequest;

/** The OData {@code $expand} option of Batch get and list operations. */
public final class Expand {

  /** Whether {@code $expand} asks for the entity's statistics, the expansion pools, jobs and tasks have. */
  public static boolean stats(HttpServletRequest request) {
    String expand = request.getParameter("$expand");
    if (expand == null) {
      return false;
    }
    for (String name : expand.split(",")) {
      if (name.trim().equalsIgnoreCase("stats")) {
        return true;
      }
    }
    return false;
  }

  private Expand() {}
}
