function ConvertTo-OfflineSeedErrorRecord {
    <#
    .SYNOPSIS
    Builds an ErrorRecord from the fields of an engine error event.

    .DESCRIPTION
    The exception type follows the category (ArgumentException for InvalidArgument,
    OperationCanceledException for OperationStopped, InvalidOperationException when nothing more
    specific fits), ErrorId is the engine's stable errorId (PowerShell appends the cmdlet name to form
    the FullyQualifiedErrorId), the category is parsed from its name, and ErrorDetails carries the
    recommended action. CrashText (the engine's stderr) is appended to the message when given.
    #>
    [CmdletBinding()]
    [OutputType([System.Management.Automation.ErrorRecord])]
    param(
        [Parameter(Mandatory)]
        [string] $ErrorId,

        [Parameter()]
        [AllowNull()]
        [AllowEmptyString()]
        [string] $Category,

        [Parameter(Mandatory)]
        [string] $Message,

        [Parameter()]
        [AllowNull()]
        [object] $TargetObject,

        [Parameter()]
        [AllowNull()]
        [AllowEmptyString()]
        [string] $RecommendedAction,

        [Parameter()]
        [AllowNull()]
        [AllowEmptyString()]
        [string] $CrashText
    )

    $errorCategory = [System.Management.Automation.ErrorCategory]::NotSpecified
    if (-not [string]::IsNullOrEmpty($Category) -and [System.Enum]::IsDefined([System.Management.Automation.ErrorCategory], $Category)) {
        $errorCategory = [System.Management.Automation.ErrorCategory]$Category
    }

    $fullMessage = $Message
    if (-not [string]::IsNullOrWhiteSpace($CrashText)) {
        $text = $CrashText.Trim()
        if ($text.Length -gt 8000) { $text = '...' + $text.Substring($text.Length - 8000) }
        $fullMessage = $Message + [System.Environment]::NewLine + 'Engine error output:' + [System.Environment]::NewLine + $text
    }

    $exception = switch ($errorCategory.ToString()) {
        'InvalidArgument' { [System.ArgumentException]::new($fullMessage) }
        'InvalidData' { [System.IO.InvalidDataException]::new($fullMessage) }
        'ObjectNotFound' { [System.Management.Automation.ItemNotFoundException]::new($fullMessage) }
        'PermissionDenied' { [System.UnauthorizedAccessException]::new($fullMessage) }
        'OperationStopped' { [System.OperationCanceledException]::new($fullMessage) }
        'OperationTimeout' { [System.TimeoutException]::new($fullMessage) }
        'NotImplemented' { [System.NotImplementedException]::new($fullMessage) }
        'ReadError' { [System.IO.IOException]::new($fullMessage) }
        'WriteError' { [System.IO.IOException]::new($fullMessage) }
        'LimitsExceeded' { [System.IO.IOException]::new($fullMessage) }
        'AuthenticationError' { [System.UnauthorizedAccessException]::new($fullMessage) }
        'SecurityError' { [System.Security.SecurityException]::new($fullMessage) }
        default { [System.InvalidOperationException]::new($fullMessage) }
    }

    $record = [System.Management.Automation.ErrorRecord]::new($exception, $ErrorId, $errorCategory, $TargetObject)
    $details = [System.Management.Automation.ErrorDetails]::new($fullMessage)
    if (-not [string]::IsNullOrEmpty($RecommendedAction)) { $details.RecommendedAction = $RecommendedAction }
    $record.ErrorDetails = $details
    return $record
}
