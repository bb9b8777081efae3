"""Diffusion statistics: the definitions under "Diffusion statistics" in DESIGN.md, in SQL.

Every figure is computed by the database (aggregates, conditional counts, annotations and window
functions), all of those of `caching.diffusion` in one statement (see `sql.rows`); Python only
arranges the few rows that come back (one per vocabulary value, per month, per adopter of one
case), never loops over cases. The number of queries is fixed: it does not grow with the data.
The results are cached until the data change (see `caching.diffusion`).

What counts:
- cases: published, not deleted (`Case.objects.published()`), narrowed by the filters
  (see `filters`);
- adoptions: alive adoptions of those cases by organisations that are not deleted
  (`Adoption.objects.public()`), so nothing about a draft, an archived or a deleted case is
  ever counted;
- the adoption date of a record is `adopted_on`, or the day it was recorded when no date was
  given (`sql.adoption_date`): the monthly series, the curves, the time to first adoption and
  the order of adopters all use it.

Shares always come with their numerator and denominator (see `figures.share`).

The modules:
- `filters`: the filters of the dashboard and the API, and the cases they describe;
- `groups`: the breakdowns by vocabulary and the buckets the figures count in;
- `sql`: the one statement every figure comes from;
- `figures`: the figures, made of the statement's rows;
- `months`: the months the series run over;
- `bass`: the Bass model, fitted to the adoptions per month;
- `caching`: `diffusion`, the public function, its cache and the data version;
- `generations`: Rogers' adopter categories and a case's generations;
- `tables`: the figures as the dashboard's tables and CSV downloads.
"""
