"""The pure cores: plain functions over plain data, with no Flask, no SQLAlchemy and no models.

stages (the adoption ladder), opening (when an organisation is open), ledger (a pair's state from its events), coverage (reach and depth),
graph (network measures), trend (fitted outlook),
panel (the monthly history spread is fitted on), diffusion and diffusion_fit (the network hazard model and
its fit), forecast (Monte Carlo reach), backtest (the forecast against baselines), diffusion_synth (synthetic spread),
cascades (independent cascade and linear threshold), engage (whom to engage next: CELF on common random numbers),
charts (chart geometry), spc (XmR charts, the Making Data Count way),
measures (monthly values into a chart's series),
spc_drawing (an XmR chart's shapes and words), spc_icons (the icons' words and letters).
"""
