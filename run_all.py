"""Regenerate every report. The notebook pipeline lands with the notebook issue."""

STEPS = ("01_eda", "02_baselines", "03_bilstm", "04_business_summary")

if __name__ == "__main__":
    print("planned steps:", ", ".join(STEPS))
