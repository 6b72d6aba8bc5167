package dev.lote.job.api;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/** A Batch list response: the items and, when more remain, the absolute link to the next page. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ListBody(
    @JsonProperty("odata.metadata") String odataMetadata,
    List<?> value,
    @JsonProperty("odata.nextLink") String nextLink) {}
